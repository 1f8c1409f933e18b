"""The engine's live orders and the order-book base class every book implementation extends.

`RestingOrder` and `PendingStop` are the engine's own mutable records (slotted, never handed out:
queries return `OrderView`/`StopView` copies). A `Book` only stores and orders resting orders; all
matching rules live in `backend.engine.matching`, so the fast book and the naive reference book in
the tests are interchangeable and produce the same state hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from mypy_extensions import mypyc_attr

from backend.engine.types import OrderType, SelfTradePrevention, Side


class LiveOrder:
    """What every live order has, resting or waiting: one base, so the compiled core reads these
    fields of an order from the engine's index directly, whichever kind it is."""

    __slots__ = (
        "account",
        "expires_at",
        "market",
        "order_id",
        "price",
        "priority",
        "remaining",
        "side",
        "stp",
    )

    order_id: str
    account: str
    market: str
    side: Side
    price: int
    remaining: int
    stp: SelfTradePrevention
    expires_at: int | None
    priority: int


class RestingOrder(LiveOrder):
    """An order in the book. `priority` orders time: lower is earlier at the same price."""

    __slots__ = ()

    def __init__(
        self,
        order_id: str,
        account: str,
        market: str,
        side: Side,
        price: int,
        remaining: int,
        stp: SelfTradePrevention,
        expires_at: int | None,
        priority: int,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.market = market
        self.side = side
        self.price = price
        self.remaining = remaining
        self.stp = stp
        self.expires_at = expires_at
        self.priority = priority


class PendingStop(LiveOrder):
    """A stop or take-profit order waiting for its trigger. `fires_on_rise` is True when it fires
    once the price it watches is >= `stop_price`, False when it is <= `stop_price`; it watches the
    market's reference price if `on_reference`, else its last trade price."""

    __slots__ = ("fires_on_rise", "on_reference", "order_type", "stop_price")

    def __init__(
        self,
        order_id: str,
        account: str,
        market: str,
        side: Side,
        order_type: OrderType,
        price: int,
        stop_price: int,
        remaining: int,
        stp: SelfTradePrevention,
        expires_at: int | None,
        priority: int,
        on_reference: bool = False,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.market = market
        self.side = side
        self.order_type = order_type
        self.price = price
        self.stop_price = stop_price
        self.remaining = remaining
        self.stp = stp
        self.expires_at = expires_at
        self.priority = priority
        self.on_reference = on_reference
        self.fires_on_rise = fires_on_rise(side, order_type)

    def due(self, low: int | None, high: int | None, reference: tuple[int, int] | None) -> bool:
        """Whether its trigger holds at a trade price between `low` and `high` (the lowest and highest prints it
        has not been checked against; both None: none) or (`on_reference`) at its reference range."""
        if self.on_reference:
            if reference is None:
                return False
            return reference[0] >= self.stop_price if self.fires_on_rise else reference[1] <= self.stop_price
        if self.fires_on_rise:
            return high is not None and high >= self.stop_price
        return low is not None and low <= self.stop_price


def fires_on_rise(side: Side, order_type: OrderType) -> bool:
    """True if the stop kind fires once the last trade price is >= its stop price, False if <=:
    a buy stop and a sell take-profit fire on a rise, a sell stop and a buy take-profit on a fall."""
    is_stop = order_type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
    return is_stop == (side is Side.BUY)


class OrderView(NamedTuple):
    """A resting order as queries report it."""

    order_id: str
    account: str
    market: str
    side: Side
    price: int
    remaining: int
    stp: SelfTradePrevention
    expires_at: int | None
    priority: int


class StopView(NamedTuple):
    """A waiting stop or take-profit order as queries report it."""

    order_id: str
    account: str
    market: str
    side: Side
    order_type: OrderType
    price: int
    stop_price: int
    remaining: int
    stp: SelfTradePrevention
    expires_at: int | None
    priority: int
    on_reference: bool = False


def view_of(order: LiveOrder) -> OrderView | StopView:
    """An immutable copy of a live order."""
    return stop_view(order) if isinstance(order, PendingStop) else order_view(order)


def order_view(order: LiveOrder) -> OrderView:
    """An immutable copy of a resting order (of the fields every live order has)."""
    return OrderView(
        order.order_id,
        order.account,
        order.market,
        order.side,
        order.price,
        order.remaining,
        order.stp,
        order.expires_at,
        order.priority,
    )


def stop_view(stop: PendingStop) -> StopView:
    """An immutable copy of a waiting stop."""
    return StopView(
        stop.order_id,
        stop.account,
        stop.market,
        stop.side,
        stop.order_type,
        stop.price,
        stop.stop_price,
        stop.remaining,
        stop.stp,
        stop.expires_at,
        stop.priority,
        stop.on_reference,
    )


@mypyc_attr(allow_interpreted_subclasses=True)
class Book:
    """One market's resting orders in price-time priority. Books never match: they store.

    A base class rather than a protocol so that the compiled core calls a book's methods directly;
    implementations subclass it (the fast `OrderBook`, the tests' naive reference book, in Python).
    """

    __slots__ = ()

    def add(self, order: RestingOrder) -> int:
        """Rest the order behind every order at its price; return the level's new total."""
        raise NotImplementedError

    def remove(self, order: RestingOrder) -> int:
        """Take a resting order out; return its level's total afterwards (0: the level is gone)."""
        raise NotImplementedError

    def reduce(self, order: RestingOrder, qty: int) -> int:
        """Lower a resting order's remaining by `qty` (< remaining) in place; return the level total."""
        raise NotImplementedError

    def best(self, side: Side) -> RestingOrder | None:
        """The first order in priority on `side`, or None when that side is empty."""
        raise NotImplementedError

    def orders(self, side: Side) -> Iterator[RestingOrder]:
        """Every resting order on `side`, best price first, earliest first within a price."""
        raise NotImplementedError

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """Up to `levels` (price, total quantity) pairs on `side`, best first."""
        raise NotImplementedError


BookFactory = Callable[[], Book]
