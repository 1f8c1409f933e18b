"""Matching for one market: price-time priority, time in force, self-trade prevention, stops.

Rules this module decides (the issue leaves them open):
- The taker's `stp` mode rules a self-trade. `cancel_taker` cancels the taker's remainder,
  `cancel_maker` cancels the resting order and goes on, `cancel_both` does both; no trade happens.
- POST_ONLY is rejected if its price crosses the best opposite order; FOK is rejected, with no
  trade, unless the opposite side can fill all of it, counting only the orders before the first
  order of its own account (under `cancel_maker`, own orders are skipped, not counted), and from at most
  `MAX_FOK_TRADES` resting orders: its trades settle together, in one transaction, and a block's gas bounds
  how many one transaction holds (a run that no block could take would hold up every settlement behind it).
- An IOC, FOK or market remainder is cancelled with `ioc_remainder`.
- A stop watches the last trade price, or (placed with `reference_trigger`) the market's reference
  price, which `SetReferencePrice` sets. Stops are checked after a command whose trades changed the
  last trade price (those watching the last trade only), and after the reference price is set in an
  open market (not when a market opens, nor after a trade: the reference it holds may be old by then;
  the next one set fires what it reached). Every stop
  whose condition holds fires, in the order the stops were accepted, each as a new taker (market
  kinds IOC at their worst price, limit kinds GTC at their price, priority from the moment they
  rest); then the check repeats until nothing fires. A stop whose condition already holds when it
  is placed is rejected (`would_trigger_immediately`).
"""

from __future__ import annotations

from heapq import heappush
from typing import Final

from backend.engine.codes import ResultCode
from backend.engine.commands import PlaceOrder
from backend.engine.events import (
    BookDelta,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    Rejected,
    Trade,
)
from backend.engine.market import MarketSpec, amend_error, check_order
from backend.engine.orders import Book, LiveOrder, PendingStop, RestingOrder
from backend.engine.types import (
    MARKET_KIND_TYPES,
    STOP_TYPES,
    MarketState,
    SelfTradePrevention,
    Side,
    TimeInForce,
)

ExpiryEntry = tuple[int, int, str, str]
"""(expires_at, priority, market, order_id): one min-heap shared by every market of an engine."""

# Final: the compiled core keeps these in C statics instead of looking them up on every use
_BUY: Final = Side.BUY
_SELL: Final = Side.SELL
_OPEN: Final = MarketState.OPEN
_HALTED: Final = MarketState.HALTED
_GTC: Final = TimeInForce.GTC
_IOC: Final = TimeInForce.IOC
_FOK: Final = TimeInForce.FOK
_POST: Final = TimeInForce.POST_ONLY
_CANCEL_MAKER: Final = SelfTradePrevention.CANCEL_MAKER
_CANCEL_BOTH: Final = SelfTradePrevention.CANCEL_BOTH
_SELF_TRADE: Final = ResultCode.SELF_TRADE_PREVENTED
_IOC_REMAINDER: Final = ResultCode.IOC_REMAINDER
_new: Final = tuple.__new__
MAX_FOK_TRADES: Final = 100  # ~60k gas a trade: a run of 100 takes about 6M gas, far below a block's
"""Builds an event as its NamedTuple class would, without the Python-level `__new__` it adds: twice as fast."""


class Market:
    """One market's book, waiting stops, state and event sequence; every method appends the events
    it causes to `out`. `live` and `expiry` are shared with the engine that owns the market."""

    __slots__ = (
        "_expiry",
        "_high",
        "_live",
        "_low",
        "book",
        "last_price",
        "name",
        "next_priority",
        "reference",
        "seq",
        "spec",
        "state",
        "stops",
    )

    def __init__(self, spec: MarketSpec, book: Book, live: dict[str, LiveOrder], expiry: list[ExpiryEntry]) -> None:
        self.spec = spec
        self.name = spec.market
        self.book = book
        self.state = MarketState.OPEN
        self.stops: dict[str, PendingStop] = {}  # insertion order is acceptance order
        self.last_price: int | None = None
        self.reference: tuple[int, int] | None = None  # (at least, at most), see `SetReferencePrice`
        self.seq = 0
        self.next_priority = 0
        self._live = live
        self._expiry = expiry
        # The lowest and highest trade prices the waiting stops have not been checked against: a sweep through
        # several levels prints a range, and a stop whose trigger lies inside it fires, whatever the last print.
        self._low: int | None = None
        self._high: int | None = None

    def reject(self, command: str, order_id: str, reason: ResultCode, out: list[Event]) -> None:
        """Report that a command on this market changed nothing."""
        self.seq += 1
        out.append(_new(Rejected, (self.name, self.seq, command, order_id, reason)))

    def place(self, order: PlaceOrder, out: list[Event]) -> None:
        """Validate a new order, then execute it as a taker or park it as a waiting stop."""
        state = self.state
        if state is not _OPEN:
            reason = ResultCode.MARKET_HALTED if state is _HALTED else ResultCode.MARKET_CANCEL_ONLY
            return self.reject("place", order.order_id, reason, out)
        tif = check_order(self.spec, order)
        if isinstance(tif, ResultCode):
            return self.reject("place", order.order_id, tif, out)
        if order.order_id in self._live:
            return self.reject("place", order.order_id, ResultCode.DUPLICATE_ORDER_ID, out)
        if order.expires_at is not None and order.expires_at <= order.ts:
            return self.reject("place", order.order_id, ResultCode.ALREADY_EXPIRED, out)
        if order.order_type in STOP_TYPES:
            return self._park_stop(order, out)
        order_id, account, side, price = order.order_id, order.account, order.side, order.price
        qty, stp = order.qty, order.stp
        if tif is _POST and self._crosses_best(side, price):
            return self.reject("place", order_id, ResultCode.POST_ONLY_WOULD_CROSS, out)
        if tif is _FOK and not self._can_fill(account, side, price, qty, stp):
            return self.reject("place", order_id, ResultCode.FOK_NOT_FILLED, out)
        self.seq += 1
        out.append(
            _new(OrderAccepted, (self.name, self.seq, order_id, account, side, order.order_type, price, qty, None))
        )
        self._take(order_id, account, side, price, qty, tif, stp, order.expires_at, out)
        if self._high is not None:  # it traded
            if self.stops:
                self._fire_stops(None, out)
            else:
                self._low = self._high = None

    def set_reference(self, reference: tuple[int, int] | None, out: list[Event]) -> None:
        """Take in the market's reference price range (None: unknown now); in an open market, fire the stops
        it triggers."""
        self.reference = reference
        if reference is not None and self.state is _OPEN and self.stops:
            self._fire_stops(reference, out)

    def cancel(self, order: LiveOrder, reason: ResultCode, out: list[Event]) -> None:
        """Take a live order (resting or waiting stop) of this market out."""
        self.seq += 1
        out.append(_new(OrderCancelled, (self.name, self.seq, order.order_id, order.account, order.remaining, reason)))
        self._drop(order, out)

    def expire(self, order: LiveOrder, out: list[Event]) -> None:
        """Take a live order out because its expiry time has come."""
        self.seq += 1
        out.append(_new(OrderExpired, (self.name, self.seq, order.order_id, order.account, order.remaining)))
        self._drop(order, out)

    def amend(self, order: LiveOrder, qty: int, out: list[Event]) -> None:
        """Lower a live order's remaining quantity to `qty`, keeping its priority."""
        if self.state is _HALTED:
            return self.reject("amend", order.order_id, ResultCode.MARKET_HALTED, out)
        reason = amend_error(self.spec, order.price, order.remaining, qty)
        if reason is not None:
            return self.reject("amend", order.order_id, reason, out)
        old = order.remaining
        self.seq += 1
        out.append(_new(OrderAmended, (self.name, self.seq, order.order_id, order.account, old, qty)))
        if not isinstance(order, RestingOrder):  # a waiting stop
            order.remaining = qty
            return None
        level_qty = self.book.reduce(order, old - qty)
        self.seq += 1
        out.append(_new(BookDelta, (self.name, self.seq, order.side, order.price, level_qty)))
        return None

    def _drop(self, order: LiveOrder, out: list[Event]) -> None:
        del self._live[order.order_id]
        if not isinstance(order, RestingOrder):  # a waiting stop
            del self.stops[order.order_id]
            return
        level_qty = self.book.remove(order)
        self.seq += 1
        out.append(_new(BookDelta, (self.name, self.seq, order.side, order.price, level_qty)))

    def _crosses_best(self, side: Side, price: int) -> bool:
        best = self.book.best(_SELL if side is _BUY else _BUY)
        if best is None:
            return False
        return best.price <= price if side is _BUY else best.price >= price

    def _can_fill(self, account: str, side: Side, price: int, qty: int, stp: SelfTradePrevention) -> bool:
        is_buy = side is _BUY
        fillable = trades = 0
        for maker in self.book.orders(_SELL if is_buy else _BUY):
            if (maker.price > price) if is_buy else (maker.price < price):
                return False
            if maker.account == account:
                if stp is _CANCEL_MAKER:
                    continue
                return False
            trades += 1
            if trades > MAX_FOK_TRADES:
                return False
            fillable += maker.remaining
            if fillable >= qty:
                return True
        return False

    def _park_stop(self, order: PlaceOrder, out: list[Event]) -> None:
        stop_price = order.stop_price
        assert stop_price is not None  # check_order refuses a stop kind without one
        stop = PendingStop(
            order.order_id, order.account, self.name, order.side, order.order_type, order.price,
            stop_price, order.qty, order.stp, order.expires_at, self.next_priority + 1, order.reference_trigger,
        )  # fmt: skip
        if stop.due(self.last_price, self.last_price, self.reference):
            return self.reject("place", order.order_id, ResultCode.WOULD_TRIGGER_IMMEDIATELY, out)
        self.seq += 1
        out.append(
            _new(OrderAccepted, (
                self.name, self.seq, order.order_id, order.account, order.side, order.order_type,
                order.price, order.qty, stop_price,
            ))
        )  # fmt: skip
        self.next_priority += 1
        self.stops[order.order_id] = stop
        self._live[order.order_id] = stop
        if order.expires_at is not None:
            heappush(self._expiry, (order.expires_at, stop.priority, self.name, order.order_id))
        return None

    def _fire_stops(self, reference: tuple[int, int] | None, out: list[Event]) -> None:
        """Fire what is due, round after round: each round checks the waiting stops against the prices traded
        since the last round (the fired stops' own trades make the next round's). Stops watching the reference
        price are checked only against `reference`, the one just set (None after a trade): the one a market holds
        may be older than what the contract will read, e.g. taken in while the market was halted."""
        while True:
            low, high = self._low, self._high
            self._low = self._high = None
            due = [stop for stop in self.stops.values() if stop.due(low, high, reference)]
            if not due:
                return
            for stop in due:
                del self.stops[stop.order_id]
                del self._live[stop.order_id]
                self.seq += 1
                at = _fired_at(stop, reference, low, high)
                out.append(_new(OrderTriggered, (self.name, self.seq, stop.order_id, stop.account, at)))
                tif = _IOC if stop.order_type in MARKET_KIND_TYPES else _GTC
                self._take(
                    stop.order_id, stop.account, stop.side, stop.price, stop.remaining, tif, stop.stp,
                    stop.expires_at, out,
                )  # fmt: skip

    def _take(
        self,
        order_id: str,
        account: str,
        side: Side,
        price: int,
        qty: int,
        tif: TimeInForce,
        stp: SelfTradePrevention,
        expires_at: int | None,
        out: list[Event],
    ) -> None:
        """Match an accepted order against the book, then rest or cancel what is left of it."""
        remaining = self._match(order_id, account, side, price, qty, stp, out)
        if not remaining:
            return
        self.seq += 1
        if tif is _GTC or tif is _POST:
            self.next_priority += 1
            resting = RestingOrder(
                order_id, account, self.name, side, price, remaining, stp, expires_at, self.next_priority
            )
            out.append(_new(BookDelta, (self.name, self.seq, side, price, self.book.add(resting))))
            self._live[order_id] = resting
            if expires_at is not None:
                heappush(self._expiry, (expires_at, resting.priority, self.name, order_id))
        else:
            out.append(_new(OrderCancelled, (self.name, self.seq, order_id, account, remaining, _IOC_REMAINDER)))

    def _match(
        self,
        order_id: str,
        account: str,
        side: Side,
        price: int,
        qty: int,
        stp: SelfTradePrevention,
        out: list[Event],
    ) -> int:
        """Fill against the opposite side while it crosses; return the quantity left (0 when the
        taker was filled or cancelled by self-trade prevention)."""
        book, name = self.book, self.name
        is_buy = side is _BUY
        maker_side = _SELL if is_buy else _BUY
        remaining = qty
        while remaining:
            maker = book.best(maker_side)
            if maker is None:
                break
            maker_price = maker.price
            if (maker_price > price) if is_buy else (maker_price < price):
                break
            if maker.account == account:
                if stp is _CANCEL_MAKER or stp is _CANCEL_BOTH:
                    self.cancel(maker, _SELF_TRADE, out)
                if stp is not _CANCEL_MAKER:
                    self.seq += 1
                    out.append(_new(OrderCancelled, (name, self.seq, order_id, account, remaining, _SELF_TRADE)))
                    return 0
                continue
            maker_remaining = maker.remaining
            fill = maker_remaining if maker_remaining < remaining else remaining
            self.seq += 1
            out.append(
                _new(Trade, (name, self.seq, maker.order_id, order_id, maker_price, fill, maker.account, account, side))
            )
            if fill == maker_remaining:
                level_qty = book.remove(maker)
                del self._live[maker.order_id]
            else:
                level_qty = book.reduce(maker, fill)
            self.seq += 1
            out.append(_new(BookDelta, (name, self.seq, maker_side, maker_price, level_qty)))
            remaining -= fill
            self.last_price = maker_price
            low, high = self._low, self._high
            if low is None or maker_price < low:
                self._low = maker_price
            if high is None or maker_price > high:
                self._high = maker_price
        return remaining


def _fired_at(stop: PendingStop, reference: tuple[int, int] | None, low: int | None, high: int | None) -> int:
    """The price a stop fired at: the end of the reference range, or of the traded range, its condition held
    for."""
    if stop.on_reference:
        assert reference is not None  # a reference stop fires only once the range is known
        return reference[0] if stop.fires_on_rise else reference[1]
    at = high if stop.fires_on_rise else low
    assert at is not None  # a last-trade stop fires only on a trade
    return at
