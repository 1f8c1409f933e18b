"""Commands: what callers ask the engine to do. Frozen dataclasses; the engine never mutates them.

Every command carries `ts`, the caller's clock (integer, e.g. milliseconds): the engine reads no
clock of its own, so replaying the same commands gives the same events. Before a command runs, every
order whose `expires_at <= ts` expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.engine.types import MarketState, OrderType, SelfTradePrevention, Side, TimeInForce


@dataclass(frozen=True, slots=True)
class AddMarket:
    """Open a market. Prices are multiples of `tick_size`, quantities of `lot_size`, and
    `price * qty` (the notional, in price units times quantity units) must be >= `min_notional`."""

    market: str
    tick_size: int
    lot_size: int
    min_notional: int = 0
    ts: int = 0


@dataclass(frozen=True, slots=True)
class SetMarketState:
    """Move a market to open, cancel-only or halted."""

    market: str
    state: MarketState
    ts: int = 0


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """Place an order. `price` is the limit price, or the worst acceptable price for market kinds.

    `tif` None means the type's default: GTC for limit and stop-limit kinds, IOC for market kinds.
    `stop_price` is required for stop and take-profit kinds and refused for the others.
    `expires_at` None means the order lives until filled or cancelled.
    `reference_trigger` makes a stop kind wait for the market's reference price (`SetReferencePrice`) instead of
    its last trade: the on-chain contract checks such a stop against the market's price source.
    `filled` is how much of the order traded before this placement (a rebuild puts back what is left): the
    minimum notional is the whole order's, `price * (qty + filled)`, as when it was first placed.
    """

    order_id: str
    account: str
    market: str
    side: Side
    order_type: OrderType
    price: int
    qty: int
    stop_price: int | None = None
    tif: TimeInForce | None = None
    stp: SelfTradePrevention = SelfTradePrevention.CANCEL_TAKER
    expires_at: int | None = None
    ts: int = 0
    reference_trigger: bool = False
    filled: int = 0


@dataclass(frozen=True, slots=True)
class SetReferencePrice:
    """The market's reference price (an outside source, e.g. an on-chain price feed) is now known to lie within
    `at_least..at_most` (equal when it is exact; `at_most` 0: it is unknown now, e.g. the source is stale). If
    the market is open, every waiting stop placed with `reference_trigger` fires whose condition holds for every
    price in that range: one firing on a rise once `at_least >= stop_price`, one firing on a fall once
    `at_most <= stop_price`. A market that opens fires nothing by itself: the next reference set does."""

    market: str
    at_least: int
    at_most: int
    ts: int = 0


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """Cancel one live order (resting or a waiting stop) by id."""

    order_id: str
    ts: int = 0


@dataclass(frozen=True, slots=True)
class CancelAll:
    """Cancel every live order of an account, in one market or (market None) in every market
    that is not halted: market by market in the order they were added, oldest order first."""

    account: str
    market: str | None = None
    ts: int = 0


@dataclass(frozen=True, slots=True)
class AmendOrder:
    """Reduce a live order's remaining quantity to `qty`, keeping its time priority."""

    order_id: str
    qty: int
    ts: int = 0


@dataclass(frozen=True, slots=True)
class ExpireOrders:
    """A clock tick: expires every order with `expires_at <= ts` and does nothing else."""

    ts: int


Command = (
    AddMarket | SetMarketState | PlaceOrder | CancelOrder | CancelAll | AmendOrder | ExpireOrders | SetReferencePrice
)
