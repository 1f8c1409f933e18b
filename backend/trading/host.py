"""The engine host: the one writer of order state in this process.

Everything that changes orders runs on the event loop's thread, one call at a time: pre-trade
checks, the hold of funds, `Engine.apply`, and folding the engine's events into order records,
fills and reservations. Those changes collect in the open batch; the `BatchWriter` thread makes a
batch durable (journal, then database) while the next one fills up, and only then are the waiting
requests answered and the market-data updates published. A request is never told "accepted"
before its order is on disk. Every batch carries the engine command seq it covers, also when the
commands changed nothing, and the book deltas' seq (numbered here), so both go on after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from backend.api.errors import ErrorCode, HdexError
from backend.engine import (
    BookDelta,
    CancelAll,
    CancelOrder,
    Command,
    Engine,
    Event,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    Rejected,
    Side,
    Trade,
)
from backend.signing import Domain
from backend.trading import cancel_after
from backend.trading.accounts import AccountBook
from backend.trading.cancels import ReplacePartlyFailed
from backend.trading.checks import Limits, Placement, check_placement, engine_error
from backend.trading.markets import Market, fee, quote_amount
from backend.trading.orders import OrderRequest, TrackedOrder
from backend.trading.persistence import BOOK_SEQ, ENGINE_SEQ, BatchRows, BatchWriter, order_row, order_state_row
from backend.trading.publish import (
    Publication,
    account_fill_message,
    balance_publications,
    fill_message,
    order_message,
)

log = logging.getLogger(__name__)

Publisher = Callable[[list[Publication]], None]
WalletLoader = Callable[[str], dict[str, int]]
ClientOrderIdLoader = Callable[[str], dict[str, str]]  # wallet -> {client order id: order hash}, from the database


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class _Batch:
    """Changes since the last flush."""

    def __init__(self) -> None:
        self.orders: dict[str, TrackedOrder] = {}
        self.fills: list[dict[str, Any]] = []
        self.cursors: dict[str, int] = {}
        self.waiters: list[asyncio.Future[None]] = []
        self.publications: list[Publication] = []
        self.cancel_after: dict[tuple[str, str], dict[str, Any]] = {}

    def __bool__(self) -> bool:
        return bool(self.orders or self.fills or self.cursors or self.waiters or self.publications or self.cancel_after)


class EngineHost:
    """Runs the engine for every market of this process (see the module docs)."""

    def __init__(
        self,
        engine: Engine,
        domain: Domain,
        accounts: AccountBook,
        writer: BatchWriter,
        limits: Limits,
        load_wallet: WalletLoader,
        publish: Publisher,
        load_client_order_ids: ClientOrderIdLoader,
    ) -> None:
        self.engine = engine
        self.domain = domain
        self.accounts = accounts
        self.limits = limits
        self.markets: dict[str, Market] = {}
        self.pairs: dict[tuple[str, str], Market] = {}
        self.orders: dict[str, TrackedOrder] = {}  # live in the engine (resting or waiting)
        self.known_hashes: dict[str, int] = {}  # every order hash not yet expired -> expiry (s)
        self.bulk_cancel_stamps: dict[str, int] = {}  # wallet -> timestamp of its last bulk cancel
        # wallet -> {client order id: hash} over all its orders, loaded on the wallet's first id
        self.client_order_ids: dict[str, dict[str, str]] = {}
        self.cancel_after = cancel_after.Deadlines()
        self.clock: Callable[[], int] = now_ms  # the cancel-after deadlines' clock (tests move it)
        self.next_order_seq = 1
        self.next_fill_id = 1
        self.broken: BaseException | None = None
        self._writer = writer
        self._load_wallet = load_wallet
        self._publish = publish
        self._load_client_order_ids = load_client_order_ids
        self._cancel_after_timer: asyncio.TimerHandle | None = None
        self._batch = _Batch()
        self._in_flight = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reasons: dict[str, str] = {}  # order hash -> why we cancel it (overrides the engine's)
        self._written_seq = engine.command_seq  # the engine command seq of the last batch handed to the writer
        self._book_seqs: dict[str, int] = {}  # market -> seq of its latest book delta (see `book_seq`)
        self._book_seq_floor = 0  # every market's numbering continues above this after a restart
        self._book_seq_high = 0  # the highest book seq so far: persisted as BOOK_SEQ

    # markets

    def set_market(self, market: Market) -> None:
        """Register (or update) a market; the caller applies the engine command that goes with it."""
        self.markets[market.name] = market
        self.pairs[(market.base_token.lower(), market.quote_token.lower())] = market

    # commands

    def place(self, request: OrderRequest) -> TrackedOrder:
        """Check, hold, match. Await `durable()` before telling anyone the order is accepted."""
        self._check_usable()
        ts = now_ms()
        return self._enter(request, self._check(request, ts), ts)

    def replace(self, old: TrackedOrder, request: OrderRequest) -> TrackedOrder:
        """Cancel `old` and place `request` in one step (the caller checked the cancel's signature
        and that both orders have the same maker); nothing else runs in between.

        The new order passes every pre-trade check first, against the state as it will be after the
        cancel (the old order's hold and open-order slot free), so a refusal there changes nothing.
        Only the engine's own verdict (post-only would cross, FOK not filled, ...) comes after the
        cancel: then the cancel stands and `ReplacePartlyFailed` says so.
        """
        self._check_usable()
        if self.orders.get(old.hash) is not old:
            raise HdexError(ErrorCode.ORDER_NOT_OPEN, "the order to replace is no longer open", "cancel.orderHash")
        ts = now_ms()
        key = (old.maker, old.token)
        self.accounts.reserved[key] -= old.reserved  # as if cancelled, without marking it dirty
        self.accounts.open_orders[old.maker] -= 1
        try:
            placement = self._check(request, ts)
        finally:
            self.accounts.reserved[key] += old.reserved
            self.accounts.open_orders[old.maker] += 1
        self.cancel(old, "replaced")
        try:
            return self._enter(request, placement, ts)
        except HdexError as exc:
            raise ReplacePartlyFailed(old, exc) from None

    def _check(self, request: OrderRequest, ts: int) -> Placement:
        placement = check_placement(
            request,
            domain=self.domain,
            markets=self.pairs,
            engine=self.engine,
            accounts=self.accounts,
            known_hashes=self.known_hashes,
            limits=self.limits,
            now_ms=ts,
            load_wallet=self.ensure_wallet,
        )
        if request.client_order_id is not None:
            self._check_client_order_id(placement.maker, request.client_order_id)
        return placement

    def _check_client_order_id(self, maker: str, client_order_id: str) -> None:
        ids = self.client_order_ids.get(maker)
        if ids is None:  # the host writes every order, so after this load its map is complete
            ids = self.client_order_ids[maker] = self._load_client_order_ids(maker)
        if client_order_id in ids:
            raise HdexError(
                ErrorCode.DUPLICATE_CLIENT_ORDER_ID,
                f"this wallet already used clientOrderId {client_order_id} (order {ids[client_order_id]})",
                "clientOrderId",
            )

    def _enter(self, request: OrderRequest, placement: Placement, ts: int) -> TrackedOrder:
        tracked = TrackedOrder(
            placement.order_hash,
            request.order,
            placement.market.name,
            placement.maker,
            placement.token,
            "0x" + request.signature.hex(),
            (request.engine_tif or ("IOC" if request.kind.value.endswith("market") else "GTC")).upper(),
            self.next_order_seq,
            ts,
            request.client_order_id,
        )
        self.orders[tracked.hash] = tracked
        events = self.engine.apply(placement.command)
        rejected = next((e for e in events if type(e) is Rejected and e.order_id == tracked.hash), None)
        if rejected is not None:  # nothing happened in the book: nothing to hold or persist
            del self.orders[tracked.hash]
            self._schedule_flush()  # the engine journaled the command; the cursor follows
            raise engine_error(rejected.reason)
        self.accounts.hold(tracked.maker, tracked.token, tracked.reserved)  # before its fills move it
        self.next_order_seq += 1
        self.known_hashes[tracked.hash] = request.order.expiry
        self.accounts.open_orders[tracked.maker] += 1
        if tracked.client_order_id is not None:
            self.client_order_ids[tracked.maker][tracked.client_order_id] = tracked.hash
        self._batch.orders[tracked.hash] = tracked
        self._batch.publications.append((f"account:{tracked.maker}", order_message(tracked)))
        self._absorb(events, ts)
        self._schedule_flush()
        return tracked

    def cancel(self, tracked: TrackedOrder, reason: str | None = None) -> None:
        """Cancel one live order (signature already checked by the caller)."""
        self._check_usable()
        if reason is not None:
            self._reasons[tracked.hash] = reason
        events = self.apply(CancelOrder(tracked.hash, now_ms()))
        rejected = next((e for e in events if type(e) is Rejected), None)
        if rejected is not None:
            self._reasons.pop(tracked.hash, None)
            raise engine_error(rejected.reason)

    def cancel_all(self, maker: str, market: str | None, reason: str | None = None) -> list[str]:
        """Cancel every live order of `maker` (in `market`, or everywhere); returns their hashes."""
        self._check_usable()
        doomed: list[str] = []
        if reason is not None:
            doomed = [t.hash for t in self.orders.values() if t.maker == maker and market in (None, t.market)]
            self._reasons.update(dict.fromkeys(doomed, reason))
        events = self.apply(CancelAll(maker, market, now_ms()))
        for order_hash in doomed:  # those the engine did not cancel (a halted market) keep no reason
            self._reasons.pop(order_hash, None)
        rejected = next((e for e in events if type(e) is Rejected), None)
        if rejected is not None:
            raise engine_error(rejected.reason)
        return [e.order_id for e in events if type(e) is OrderCancelled]

    # cancel-after (backend.trading.cancel_after): a timer on this loop, never another thread

    def set_cancel_after(self, wallet: str, market: str | None, timeout_ms: int, timestamp_ms: int) -> int:
        """Arm, refresh or (timeout 0) turn off `wallet`'s cancel-after for `market` (None: all);
        returns the new deadline in ms (0: off). Persisted with the next batch."""
        entry = self.cancel_after.set(wallet, market, timeout_ms, timestamp_ms, self.clock())
        self._batch.cancel_after[(entry.wallet, entry.scope)] = entry.row()
        self._arm_cancel_after()
        self._schedule_flush()
        return entry.deadline_ms

    def run_cancel_after(self) -> None:
        """Cancel the open orders of every passed deadline, then arm the timer for the next one (the
        timer's callback; the service calls it at start for deadlines that passed while down)."""
        waiting = False
        for entry in self.cancel_after.due(self.clock()):
            try:
                self.cancel_all(entry.wallet, entry.market, cancel_after.REASON)
            except HdexError as exc:
                log.warning("cancel-after not applied", extra={"wallet": entry.wallet, "error": exc.message})
            if any(t.maker == entry.wallet and entry.market in (None, t.market) for t in self.orders.values()):
                waiting = True  # a halted market refused: the deadline stays due, tried again soon
                continue
            entry.deadline_ms = 0
            self._batch.cancel_after[(entry.wallet, entry.scope)] = entry.row()
            self._schedule_flush()
        self._arm_cancel_after(cancel_after.RETRY_MS if waiting else 0)

    def stop_cancel_after(self) -> None:
        """Disarm the timer (at shutdown: the stored deadlines fire after the restart)."""
        if self._cancel_after_timer is not None:
            self._cancel_after_timer.cancel()
            self._cancel_after_timer = None

    def _arm_cancel_after(self, min_delay_ms: int = 0) -> None:
        self.stop_cancel_after()
        deadline = self.cancel_after.next_deadline()
        if deadline is not None:
            delay = max(min_delay_ms, deadline - self.clock()) / 1000
            self._cancel_after_timer = self._loop_or_current().call_later(delay, self.run_cancel_after)

    def apply(self, command: Command) -> list[Event]:
        """Run an engine command and fold its events into the open batch."""
        events = self.engine.apply(command)
        self._absorb(events, command.ts)
        self._schedule_flush()
        return events

    def mark_cursor(self, name: str, value: int) -> None:
        """Persist a named cursor with the next batch."""
        self._batch.cursors[name] = value
        self._schedule_flush()

    def release_holds(self, holds: list[tuple[str, str, int]]) -> None:
        """Give back the holds of fills the relayer settled or failed: [(wallet, token, amount)]."""
        for wallet, token, amount in holds:
            self.accounts.release(wallet, token, amount)  # announced as a `balance` message with the batch
        self._schedule_flush()

    def ensure_wallet(self, wallet: str) -> None:
        """Load a wallet's (EIP-55) ledger balances on first sight; the sync keeps them fresh after."""
        if wallet not in self.accounts.balances:
            self.accounts.set_wallet_balances(wallet, self._load_wallet(wallet))

    def _check_usable(self) -> None:
        if self.broken is not None:
            raise HdexError(ErrorCode.UNAVAILABLE, "order entry is stopped after a storage fault; retry later")

    # events -> records, fills, holds, publications

    def _absorb(self, events: list[Event], ts: int) -> None:
        batch = self._batch
        for event in events:
            kind = type(event)
            if kind is BookDelta:
                assert isinstance(event, BookDelta)
                batch.publications.append((f"book:{event.market}", self._book_delta(event)))
            elif kind is Trade:
                assert isinstance(event, Trade)
                self._fill(event, ts)
            elif kind is OrderCancelled or kind is OrderExpired:
                assert isinstance(event, OrderCancelled | OrderExpired)
                status = "expired" if kind is OrderExpired else "cancelled"
                reason = "expired" if isinstance(event, OrderExpired) else event.reason.value
                self._close(event.order_id, status, self._reasons.pop(event.order_id, reason), ts)
            elif kind is OrderTriggered:
                assert isinstance(event, OrderTriggered)
                tracked = self.orders.get(event.order_id)
                if tracked is not None:
                    batch.publications.append((f"account:{tracked.maker}", order_message(tracked, "triggered")))

    def _fill(self, trade: Trade, ts: int) -> None:
        maker, taker = self.orders[trade.maker_order_id], self.orders[trade.taker_order_id]
        market = self.markets[trade.market]
        qty, price = trade.qty, trade.price
        quote = quote_amount(qty, price)
        buyer, seller = (taker, maker) if trade.taker_side is Side.BUY else (maker, taker)
        buyer_fee_rate = market.taker_fee_rate if buyer is taker else market.maker_fee_rate
        seller_fee_rate = market.taker_fee_rate if seller is taker else market.maker_fee_rate
        buyer_fee, seller_fee = fee(qty, buyer_fee_rate), fee(quote, seller_fee_rate)
        for tracked, pays, hold_release in (
            (seller, qty, qty),
            (buyer, quote, quote_amount(qty, buyer.order.limitPrice)),
        ):
            tracked.filled += qty
            tracked.reserved -= hold_release
            tracked.updated_ms = ts
            self.accounts.release(tracked.maker, tracked.token, hold_release)
            self.accounts.hold(tracked.maker, tracked.token, pays)  # until the fill settles
            self._batch.orders[tracked.hash] = tracked
            if tracked.remaining == 0:
                self._close(tracked.hash, "filled", None, ts)
        row = {
            "id": self.next_fill_id,
            "market": market.name,
            "maker_order_hash": maker.hash,
            "taker_order_hash": taker.hash,
            "maker": maker.maker,
            "taker": taker.maker,
            "maker_side": maker.order.side,
            "price": price,
            "base_amount": qty,
            "quote_amount": quote,
            "maker_fee": buyer_fee if buyer is maker else seller_fee,
            "taker_fee": buyer_fee if buyer is taker else seller_fee,
            "status": "unsettled",
            "tx_hash": None,
            "failure": None,
            "released": False,
            "created_at_ms": ts,
        }
        self.next_fill_id += 1
        self._batch.fills.append(row)
        message = fill_message(row)
        self._batch.publications.append((f"trades:{market.name}", message))
        for own in {maker.maker: maker, taker.maker: taker}.values():
            party_view = {**account_fill_message(row, market, own.maker, own.client_order_id), "type": "fill"}
            self._batch.publications.append((f"account:{own.maker}", party_view))

    def close_order(self, order_hash: str, status: str, reason: str | None, ts: int) -> None:
        """Take a tracked order out: release its hold and record why (also used by restore)."""
        self._close(order_hash, status, reason, ts)

    def _close(self, order_hash: str, status: str, reason: str | None, ts: int) -> None:
        tracked = self.orders.pop(order_hash, None)
        if tracked is None:
            return
        self.accounts.release(tracked.maker, tracked.token, tracked.reserved)
        tracked.reserved = 0
        tracked.status, tracked.reason, tracked.updated_ms = status, reason, ts
        self.accounts.open_orders[tracked.maker] -= 1
        self._batch.orders[tracked.hash] = tracked
        self._batch.publications.append((f"account:{tracked.maker}", order_message(tracked)))

    # group commit

    def durable(self) -> asyncio.Future[None]:
        """Resolves once every change made so far is on disk (journal and database)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.waiters.append(future)
        self._schedule_flush()
        return future

    def _unwritten(self) -> bool:
        """Anything not yet handed to the writer, including journaled commands that changed nothing
        (a refused order, an idle clock tick): the database's ENGINE_SEQ must still reach them, or a
        snapshot taken at stop would be ahead of the database and the restart would throw it away."""
        return bool(self._batch or self.accounts.dirty or self.accounts.changed) or (
            self.engine.command_seq != self._written_seq
        )

    def _schedule_flush(self) -> None:
        if not self._in_flight and self._unwritten():
            self._in_flight = True
            self._loop_or_current().call_soon(self._flush)

    def _loop_or_current(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def _flush(self) -> None:
        if not self._unwritten():
            self._in_flight = False
            return
        batch, self._batch = self._batch, _Batch()
        self._written_seq = self.engine.command_seq
        batch.publications.extend(balance_publications(self.accounts, self.markets))
        rows = BatchRows(
            fills=batch.fills,
            reservations=[
                {"wallet": w, "token": t, "amount": amount} for (w, t), amount in self.accounts.take_dirty().items()
            ],
            cursors={**batch.cursors, ENGINE_SEQ: self._written_seq},
            cancel_after=list(batch.cancel_after.values()),
        )
        for tracked in batch.orders.values():
            if tracked.persisted:
                rows.order_updates.append(order_state_row(tracked))
            else:
                rows.new_orders.append(order_row(tracked))
                tracked.persisted = True
        loop = self._loop_or_current()

        def done(error: BaseException | None) -> None:
            loop.call_soon_threadsafe(self._committed, batch, error)

        self._writer.submit(rows, done)

    def _committed(self, batch: _Batch, error: BaseException | None) -> None:
        self._in_flight = False
        if error is not None:
            self.broken = error
            for waiter in batch.waiters:
                if not waiter.done():
                    waiter.set_exception(HdexError(ErrorCode.UNAVAILABLE, "the order could not be stored"))
            return
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_result(None)
        if batch.publications:
            self._publish(batch.publications)
        self._schedule_flush()

    @property
    def idle(self) -> bool:
        """No batch open or being written: the engine's state is exactly what is committed."""
        return not (self._in_flight or self._unwritten())

    async def drain(self) -> None:
        """Wait until every change so far is durable."""
        while not self.idle:
            self._schedule_flush()
            await asyncio.sleep(0.005)

    # book sequence numbers

    def book_seq(self, market: str) -> int:
        """The `seq` of the market's latest book delta: its book channel's position for clients."""
        return self._book_seqs.get(market, self._book_seq_floor)

    def resume_book_seqs(self, floor: int) -> None:
        """After a restart, number every market's deltas from above `floor` (the stored BOOK_SEQ), so
        a client never sees a book's `seq` go back, whatever the engine was rebuilt from."""
        self._book_seq_floor = self._book_seq_high = floor

    def _book_delta(self, event: BookDelta) -> dict[str, Any]:
        seq = self._book_seqs[event.market] = self.book_seq(event.market) + 1
        if seq > self._book_seq_high:  # stored with this batch, before its deltas are published
            self._book_seq_high = self._batch.cursors[BOOK_SEQ] = seq
        return {"seq": seq, "side": event.side.value, "price": str(event.price), "qty": str(event.level_qty)}
