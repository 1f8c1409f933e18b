"""The engine: every market of one shard, one command at a time, commands in and events out.

`Engine.apply(command)` journals the command, expires every order whose `expires_at <= command.ts`
(expiry is eager and driven by the commands' clock; `ExpireOrders(ts)` is a pure clock tick), runs
the command and returns its events. Expiry applies in every market state: an expired order can
never trade, so halting a market does not keep it alive. Order ids are unique among live orders
(resting or waiting stops) across all markets; an id may be reused once its order is gone.
"""

from __future__ import annotations

from heapq import heapify, heappop
from typing import Final, NamedTuple

from backend.engine.book import OrderBook
from backend.engine.codes import ResultCode
from backend.engine.commands import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    PlaceOrder,
    SetMarketState,
    SetReferencePrice,
)
from backend.engine.errors import UnknownMarketError
from backend.engine.events import Event, MarketAdded, MarketStateChanged, Rejected
from backend.engine.journal import BufferedJournal, Journal, JournalBuffer
from backend.engine.market import MarketSpec, spec_error
from backend.engine.matching import ExpiryEntry, Market
from backend.engine.orders import (
    BookFactory,
    LiveOrder,
    OrderView,
    PendingStop,
    RestingOrder,
    StopView,
    order_view,
    stop_view,
    view_of,
)
from backend.engine.snapshot import EngineSnapshot, MarketSnapshot, state_hash
from backend.engine.types import MarketState, Side

# Final: the compiled core keeps these in C statics instead of looking them up on every use
_HALTED: Final = MarketState.HALTED
_CANCELLED_BY_USER: Final = ResultCode.CANCELLED_BY_USER
# Gone orders' entries the expiry queue may hold beyond twice the live orders before it is rebuilt: a rebuild
# costs one pass over the live orders, so it comes at most once per this many commands' worth of entries.
EXPIRY_SLACK: Final = 4_096
_COMMAND_TYPES: Final = frozenset(
    {PlaceOrder, CancelOrder, AmendOrder, CancelAll, AddMarket, SetMarketState, ExpireOrders, SetReferencePrice}
)


class Depth(NamedTuple):
    """Aggregated (price, total quantity) levels, best first, for market data."""

    bids: list[tuple[int, int]]
    asks: list[tuple[int, int]]


class Engine:
    """Owns its markets' books; the one writer of their state (see the module docs)."""

    def __init__(self, book_factory: BookFactory = OrderBook, journal: Journal | None = None) -> None:
        self._book_factory = book_factory
        self._journal: Journal | None = None
        self._buffer: JournalBuffer | None = None
        self.attach_journal(journal)
        self._markets: dict[str, Market] = {}
        self._live: dict[str, LiveOrder] = {}
        self._expiry: list[ExpiryEntry] = []
        self.command_seq = 0

    def apply(self, command: Command) -> list[Event]:
        """Journal the command, expire what is due by `command.ts`, run it, return its events.

        Raises `TypeError` (before journaling anything) for an object that is not a command.
        """
        if type(command) not in _COMMAND_TYPES:
            raise TypeError(f"not an engine command: {command!r}")
        seq = self.command_seq + 1
        buffer = self._buffer
        if buffer is not None:
            buffer.append(seq, command)
        elif self._journal is not None:
            self._journal.append(seq, command)
        self.command_seq = seq  # journaled: a command the journal refused was not run, and has no seq
        out: list[Event] = []
        expiry = self._expiry
        if expiry and expiry[0][0] <= command.ts:
            self._expire_due(command.ts, out)
        # by exact type, the busiest first: the compiled core calls each handler directly
        if type(command) is PlaceOrder:
            self._place(command, out)
        elif type(command) is CancelOrder:
            self._cancel(command, out)
        elif type(command) is AmendOrder:
            self._amend(command, out)
        elif type(command) is CancelAll:
            self._cancel_all(command, out)
        elif type(command) is AddMarket:
            self._add_market(command, out)
        elif type(command) is SetMarketState:
            self._set_market_state(command, out)
        elif type(command) is SetReferencePrice:
            self._set_reference_price(command, out)
        # an ExpireOrders tick has done all its work in the expiry sweep above
        if len(expiry) > 2 * len(self._live) + EXPIRY_SLACK:
            self._index_expiry()
        return out

    def _index_expiry(self) -> None:
        """The expiry queue afresh from the live orders. An order that rests or waits leaves an entry until its
        expiry time (months for a signed GTC order) however soon it is filled or cancelled: rebuilt once gone
        orders' entries outnumber the rest, a market maker's replaces cannot grow it without bound. In place (the
        markets push to this list); entries are distinct and totally ordered, so what pops when is unchanged."""
        expiry = self._expiry
        expiry[:] = [
            (order.expires_at, order.priority, order.market, order.order_id)
            for order in self._live.values()
            if order.expires_at is not None
        ]
        heapify(expiry)

    def attach_journal(self, journal: Journal | None) -> None:
        """Journal every later command to `journal` (None: stop journaling), e.g. after recovery."""
        self._journal = journal
        # the compiled core calls a buffered journal's buffer directly; through Python, any other journal
        self._buffer = journal.buffer if isinstance(journal, BufferedJournal) else None

    # queries

    def markets(self) -> list[str]:
        """Market names in the order they were added."""
        return list(self._markets)

    def market_spec(self, market: str) -> MarketSpec:
        """The market's grid rules."""
        return self._market(market).spec

    def market_state(self, market: str) -> MarketState:
        """Open, cancel-only or halted."""
        return self._market(market).state

    def last_trade_price(self, market: str) -> int | None:
        """The price of the market's latest trade, None before its first."""
        return self._market(market).last_price

    def reference_price(self, market: str) -> tuple[int, int] | None:
        """The market's reference price range (at least, at most) last set, None before the first."""
        return self._market(market).reference

    def resting_orders(self, market: str, side: Side) -> list[OrderView]:
        """The side's resting orders in priority order (best price, then earliest)."""
        return [order_view(order) for order in self._market(market).book.orders(side)]

    def pending_stops(self, market: str) -> list[StopView]:
        """The market's waiting stop and take-profit orders in acceptance order."""
        return [stop_view(stop) for stop in self._market(market).stops.values()]

    def order(self, order_id: str) -> OrderView | StopView | None:
        """A live order (resting or waiting) by id, None if there is none."""
        order = self._live.get(order_id)
        return None if order is None else view_of(order)

    def best_bid(self, market: str) -> int | None:
        """The highest resting buy price."""
        best = self._market(market).book.best(Side.BUY)
        return None if best is None else best.price

    def best_ask(self, market: str) -> int | None:
        """The lowest resting sell price."""
        best = self._market(market).book.best(Side.SELL)
        return None if best is None else best.price

    def depth(self, market: str, levels: int = 10) -> Depth:
        """Up to `levels` aggregated price levels per side, best first."""
        book = self._market(market).book
        return Depth(book.depth(Side.BUY, levels), book.depth(Side.SELL, levels))

    # snapshots

    def snapshot(self) -> EngineSnapshot:
        """The full state after the latest command (see `backend.engine.snapshot`)."""
        return EngineSnapshot(
            command_seq=self.command_seq,
            markets=tuple(
                MarketSnapshot(
                    spec=m.spec,
                    state=m.state,
                    last_price=m.last_price,
                    reference=m.reference,
                    seq=m.seq,
                    next_priority=m.next_priority,
                    bids=tuple(self.resting_orders(m.name, Side.BUY)),
                    asks=tuple(self.resting_orders(m.name, Side.SELL)),
                    stops=tuple(self.pending_stops(m.name)),
                )
                for m in self._markets.values()
            ),
        )

    def state_hash(self) -> str:
        """Hex SHA-256 of the snapshot: the same for every engine (and book) in the same state."""
        return state_hash(self.snapshot())

    @classmethod
    def restore(
        cls, snapshot: EngineSnapshot, book_factory: BookFactory = OrderBook, journal: Journal | None = None
    ) -> Engine:
        """An engine in exactly the snapshot's state; it journals from `snapshot.command_seq + 1`."""
        engine = cls(book_factory, journal)
        engine.command_seq = snapshot.command_seq
        for snap in snapshot.markets:
            market = engine._markets[snap.spec.market] = Market(snap.spec, book_factory(), engine._live, engine._expiry)
            market.state, market.last_price, market.reference = snap.state, snap.last_price, snap.reference
            market.seq, market.next_priority = snap.seq, snap.next_priority
            for view in snap.bids + snap.asks:
                resting = RestingOrder(*view)
                market.book.add(resting)
                engine._live[view.order_id] = resting
            for waiting in snap.stops:
                stop = PendingStop(*waiting)
                market.stops[stop.order_id] = stop
                engine._live[stop.order_id] = stop
        engine._index_expiry()
        return engine

    # command handlers

    def _market(self, market: str) -> Market:
        try:
            return self._markets[market]
        except KeyError:
            raise UnknownMarketError(market) from None

    def _place(self, command: PlaceOrder, out: list[Event]) -> None:
        market = self._markets.get(command.market)
        if market is None:
            out.append(Rejected(command.market, 0, "place", command.order_id, ResultCode.UNKNOWN_MARKET))
            return
        market.place(command, out)

    def _cancel(self, command: CancelOrder, out: list[Event]) -> None:
        order = self._live.get(command.order_id)
        if order is None:
            out.append(Rejected("", 0, "cancel", command.order_id, ResultCode.UNKNOWN_ORDER))
            return
        market = self._markets[order.market]
        if market.state is _HALTED:
            market.reject("cancel", order.order_id, ResultCode.MARKET_HALTED, out)
            return
        market.cancel(order, _CANCELLED_BY_USER, out)

    def _cancel_all(self, command: CancelAll, out: list[Event]) -> None:
        if command.market is not None:
            market = self._markets.get(command.market)
            if market is None:
                out.append(Rejected(command.market, 0, "cancel_all", "", ResultCode.UNKNOWN_MARKET))
                return
            if market.state is _HALTED:
                market.reject("cancel_all", "", ResultCode.MARKET_HALTED, out)
                return
        for market in self._markets.values():
            if market.state is _HALTED or command.market not in (None, market.name):
                continue
            # oldest first, from state alone: a restored engine must cancel in the same order
            doomed = sorted(
                (o for o in self._live.values() if o.account == command.account and o.market == market.name),
                key=lambda o: o.priority,
            )
            for order in doomed:
                market.cancel(order, _CANCELLED_BY_USER, out)

    def _amend(self, command: AmendOrder, out: list[Event]) -> None:
        order = self._live.get(command.order_id)
        if order is None:
            out.append(Rejected("", 0, "amend", command.order_id, ResultCode.UNKNOWN_ORDER))
            return
        self._markets[order.market].amend(order, command.qty, out)

    def _add_market(self, command: AddMarket, out: list[Event]) -> None:
        spec = MarketSpec(command.market, command.tick_size, command.lot_size, command.min_notional)
        reason = spec_error(spec)
        if reason is None and command.market in self._markets:
            reason = ResultCode.MARKET_EXISTS
        if reason is not None:
            out.append(Rejected(command.market, 0, "add_market", "", reason))
            return
        market = self._markets[command.market] = Market(spec, self._book_factory(), self._live, self._expiry)
        market.seq += 1
        out.append(MarketAdded(spec.market, market.seq, spec.tick_size, spec.lot_size, spec.min_notional))

    def _set_market_state(self, command: SetMarketState, out: list[Event]) -> None:
        market = self._markets.get(command.market)
        if market is None:
            out.append(Rejected(command.market, 0, "set_market_state", "", ResultCode.UNKNOWN_MARKET))
            return
        market.state = command.state
        market.seq += 1
        out.append(MarketStateChanged(market.name, market.seq, command.state))

    def _set_reference_price(self, command: SetReferencePrice, out: list[Event]) -> None:
        market = self._markets.get(command.market)
        if market is None:
            out.append(Rejected(command.market, 0, "set_reference_price", "", ResultCode.UNKNOWN_MARKET))
            return
        at_least, at_most = command.at_least, command.at_most
        if not 0 <= at_least <= at_most:
            market.reject("set_reference_price", "", ResultCode.INVALID_PRICE, out)
            return
        market.set_reference(None if at_most == 0 else (at_least, at_most), out)

    def _expire_due(self, now: int, out: list[Event]) -> None:
        expiry, live = self._expiry, self._live
        while expiry and expiry[0][0] <= now:
            _, priority, market, order_id = heappop(expiry)
            order = live.get(order_id)
            # the entry is stale if its order is gone, or the id now names a newer order
            if order is not None and order.priority == priority and order.market == market:
                self._markets[market].expire(order, out)
