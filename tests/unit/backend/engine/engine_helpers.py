"""Builders and readers shared by the engine tests: short names for long commands."""

from __future__ import annotations

from typing import Any, TypeVar

from backend.engine import (
    Engine,
    Event,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    Side,
    TimeInForce,
    Trade,
)

MARKET = "ETH-USDC"
BUY, SELL = Side.BUY, Side.SELL
E = TypeVar("E")


def limit(
    order_id: str, side: Side, price: int, qty: int, account: str = "alice", tif: TimeInForce | None = None,
    stp: SelfTradePrevention = SelfTradePrevention.CANCEL_TAKER, **extra: Any,
) -> PlaceOrder:  # fmt: skip
    """A limit order in the test market."""
    return PlaceOrder(order_id, account, extra.pop("market", MARKET), side, OrderType.LIMIT, price, qty,
                      tif=tif, stp=stp, **extra)  # fmt: skip


def market(order_id: str, side: Side, worst_price: int, qty: int, account: str = "alice", **extra: Any) -> PlaceOrder:
    """A market order (IOC at its worst acceptable price) in the test market."""
    return PlaceOrder(order_id, account, MARKET, side, OrderType.MARKET, worst_price, qty, **extra)


def stop(
    order_id: str, side: Side, order_type: OrderType, stop_price: int, price: int, qty: int,
    account: str = "alice", **extra: Any,
) -> PlaceOrder:  # fmt: skip
    """A stop or take-profit order in the test market."""
    return PlaceOrder(order_id, account, MARKET, side, order_type, price, qty, stop_price=stop_price, **extra)


def of_type(events: list[Event], kind: type[E]) -> list[E]:
    """The events of one kind, in order."""
    return [event for event in events if isinstance(event, kind)]


def book(engine: Engine, side: Side, market_name: str = MARKET) -> list[tuple[str, int, int]]:
    """(order id, price, remaining) of one side, in priority order."""
    return [(o.order_id, o.price, o.remaining) for o in engine.resting_orders(market_name, side)]


def fills(events: list[Event]) -> list[tuple[str, str, int, int]]:
    """(maker, taker, price, qty) of every trade, in order."""
    return [(t.maker_order_id, t.taker_order_id, t.price, t.qty) for t in of_type(events, Trade)]
