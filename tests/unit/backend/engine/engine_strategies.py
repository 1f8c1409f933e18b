"""Hypothesis strategies: short, dense command streams on one small market.

Few prices and few accounts make crossings, self-trades, stop chains and expiries common. Orders
get fresh ids (now and then a used one, to exercise duplicates and reuse); cancels and amends
name an id placed earlier; `ts` rises with every command.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from backend.engine import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    MarketState,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    SetMarketState,
    SetReferencePrice,
    Side,
    TimeInForce,
)

MARKET = "ETH-USDC"
SETUP: list[Command] = [AddMarket(MARKET, tick_size=1, lot_size=1, min_notional=0)]

_PLACEHOLDER = st.just("")
_MARKET = st.just(MARKET)
_sides = st.sampled_from(Side)
_accounts = st.sampled_from(["alice", "bob", "carol"])
_prices = st.integers(min_value=97, max_value=103)
_qty = st.integers(min_value=1, max_value=6)
_expiry = st.one_of(st.none(), st.integers(min_value=1, max_value=80))
_stop_types = st.sampled_from(
    [OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT]
)


def _limit() -> st.SearchStrategy[PlaceOrder]:
    return st.builds(
        PlaceOrder, _PLACEHOLDER, _accounts, _MARKET, _sides, st.just(OrderType.LIMIT),
        _prices, _qty, tif=st.one_of(st.none(), st.sampled_from(TimeInForce)),
        stp=st.sampled_from(SelfTradePrevention), expires_at=_expiry,
    )  # fmt: skip


def _market() -> st.SearchStrategy[PlaceOrder]:
    return st.builds(
        PlaceOrder, _PLACEHOLDER, _accounts, _MARKET, _sides, st.just(OrderType.MARKET),
        _prices, _qty, stp=st.sampled_from(SelfTradePrevention),
    )  # fmt: skip


def _stop() -> st.SearchStrategy[PlaceOrder]:
    return st.builds(
        PlaceOrder, _PLACEHOLDER, _accounts, _MARKET, _sides, _stop_types, _prices, _qty,
        stop_price=_prices, stp=st.sampled_from(SelfTradePrevention), expires_at=_expiry,
        reference_trigger=st.booleans(),
    )  # fmt: skip


def _reference_price() -> st.SearchStrategy[SetReferencePrice]:
    """A range around the traded prices: mostly exact, sometimes between two units, now and then invalid."""
    return st.builds(
        lambda low, width: SetReferencePrice(MARKET, low, low + width),
        st.integers(min_value=0, max_value=104), st.sampled_from([0, 0, 1, -1]),
    )  # fmt: skip


# (weight, strategy): hypothesis's one_of does not weight its branches, so pick a kind first
_KINDS: list[tuple[int, st.SearchStrategy[Command]]] = [
    (40, _limit()),
    (5, _market()),
    (10, _stop()),
    (4, _reference_price()),
    (14, st.builds(CancelOrder, _PLACEHOLDER)),
    (5, st.builds(AmendOrder, _PLACEHOLDER, _qty)),
    (2, st.builds(CancelAll, _accounts, st.sampled_from([None, MARKET]))),
    (3, st.builds(ExpireOrders, st.just(0))),
    (2, st.builds(SetMarketState, st.just(MARKET), st.sampled_from([*MarketState, MarketState.OPEN]))),
]
_WEIGHTED = [strategy for weight, strategy in _KINDS for _ in range(weight)]
_command: st.SearchStrategy[Command] = st.sampled_from(_WEIGHTED).flatmap(lambda strategy: strategy)


@st.composite
def command_streams(draw: st.DrawFn, max_size: int = 60) -> list[Command]:
    """The market's setup, then up to `max_size` commands with `ts` = their position."""
    drawn = draw(st.lists(_command, min_size=max_size // 3, max_size=max_size))
    stream = list(SETUP)
    used: list[str] = []
    for ts, command in enumerate(drawn, start=1):
        if isinstance(command, PlaceOrder):
            reuse = used and draw(st.integers(min_value=0, max_value=9)) == 0
            order_id = draw(st.sampled_from(used)) if reuse else f"o{ts}"
            used.append(order_id)
            expires_at = None if command.expires_at is None else command.expires_at + ts // 2
            command = replace(command, order_id=order_id, expires_at=expires_at)
        elif isinstance(command, CancelOrder | AmendOrder):
            # mostly recent ids: those are the ones most likely still live
            back = draw(st.integers(min_value=1, max_value=8))
            command = replace(command, order_id=used[-back] if len(used) >= back else "never-placed")
        stream.append(replace(command, ts=ts))
    return stream
