"""Events: what the engine says happened. Each carries its market and a per-market sequence number.

Events are typed `NamedTuple`s rather than frozen dataclasses: equally immutable and typed, but about
five times cheaper to build, and the hot path builds two or more per command. Events that belong to
no market (a cancel of an unknown id, a command for an unknown market) carry `seq == 0`.
"""

from __future__ import annotations

from typing import NamedTuple

from backend.engine.codes import ResultCode
from backend.engine.types import MarketState, OrderType, Side


class MarketAdded(NamedTuple):
    """A market opened with these grid rules."""

    market: str
    seq: int
    tick_size: int
    lot_size: int
    min_notional: int


class MarketStateChanged(NamedTuple):
    """A market moved to open, cancel-only or halted."""

    market: str
    seq: int
    state: MarketState


class OrderAccepted(NamedTuple):
    """An order passed validation; trades, resting or a cancel of its remainder follow."""

    market: str
    seq: int
    order_id: str
    account: str
    side: Side
    order_type: OrderType
    price: int
    qty: int
    stop_price: int | None


class Rejected(NamedTuple):
    """A command changed nothing. `command` is its op name (place, cancel, amend, ...)."""

    market: str
    seq: int
    command: str
    order_id: str
    reason: ResultCode


class Trade(NamedTuple):
    """A fill at the maker's price. `taker_side` is the side of the aggressing order."""

    market: str
    seq: int
    maker_order_id: str
    taker_order_id: str
    price: int
    qty: int
    maker_account: str
    taker_account: str
    taker_side: Side


class OrderCancelled(NamedTuple):
    """An order left the book (or the stop list) with `remaining` unfilled."""

    market: str
    seq: int
    order_id: str
    account: str
    remaining: int
    reason: ResultCode


class OrderTriggered(NamedTuple):
    """A stop or take-profit order fired at `last_price` and now executes as a new taker: the trade price that reached
    its stop price (the highest or lowest of the prices traded since the stops were last checked), or for a stop
    watching the reference price the end of the reference range that reached it."""

    market: str
    seq: int
    order_id: str
    account: str
    last_price: int


class OrderExpired(NamedTuple):
    """An order reached its expiry time with `remaining` unfilled."""

    market: str
    seq: int
    order_id: str
    account: str
    remaining: int


class OrderAmended(NamedTuple):
    """An order's remaining quantity went down from `old_remaining` to `remaining`."""

    market: str
    seq: int
    order_id: str
    account: str
    old_remaining: int
    remaining: int


class BookDelta(NamedTuple):
    """The total resting quantity at one price level is now `level_qty` (0: the level is gone)."""

    market: str
    seq: int
    side: Side
    price: int
    level_qty: int


Event = (
    MarketAdded
    | MarketStateChanged
    | OrderAccepted
    | Rejected
    | Trade
    | OrderCancelled
    | OrderTriggered
    | OrderExpired
    | OrderAmended
    | BookDelta
)
