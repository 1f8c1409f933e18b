"""The engine host: the one writer of order state in this process.

It has one door: `handle(command)` (the commands are in `backend.trading.hosting.commands`), which runs on
the host's own event loop, one command at a time, and refuses any other thread. Pre-trade checks,
the hold of funds for an order or a withdrawal, `Engine.apply`, folding the engine's events into
order records, fills and reservations, and taking in what the database says all happen in there;
its state is private, and callers read it through read-only views. The changes collect in the
open batch; the `BatchWriter` thread makes a batch durable (journal, then database) while the next
one fills up, and only then are the waiting requests answered and the market-data updates
published. A request is never told "accepted" before its order is on disk. Every batch carries the
engine command seq it covers, also when the commands changed nothing, and the book deltas' seq
(numbered here), so both go on after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

from backend.alerts.store import AlertKind, Severity
from backend.engine import (
    BookDelta,
    CancelAll,
    CancelOrder,
    Command,
    Engine,
    Event,
    ExpireOrders,
    MarketState,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    Rejected,
    SetMarketState,
    SetReferencePrice,
    Side,
    Trade,
)
from backend.errors import ErrorCode, HdexError
from backend.limits.orders import OrderLimitGuard
from backend.signing import Domain
from backend.statuses import FillStatus, OrderStatus
from backend.trading.hosting import commands as do
from backend.trading.hosting.chain_sync import NONCE_SPENT_REASON, ON_CHAIN_CANCEL_REASONS, spent_nonce
from backend.trading.hosting.lease import LOST_MESSAGE, LeaseLost
from backend.trading.hosting.persistence import (
    BOOK_SEQ,
    CHAIN_EVENT_ID,
    ENGINE_SEQ,
    BatchRows,
    BatchWriter,
    order_row,
    order_state_row,
)
from backend.trading.rules import cancel_after
from backend.trading.rules.accounts import AccountBook, checksum
from backend.trading.rules.cancels import ReplacePartlyFailed, check_bulk_timestamp
from backend.trading.rules.checks import Limits, Placement, check_placement, engine_error
from backend.trading.rules.markets import Market, PriceSource, fee, highest_price, quote_amount
from backend.trading.rules.nonces import UsedNonces
from backend.trading.rules.orders import OrderRequest, TrackedOrder
from backend.trading.rules.risk import HALT_KINDS, RISK_OFF, Halt, Move, RiskSettings, breaker_halt, move_bps
from backend.trading.rules.risk_desk import RiskDesk
from backend.trading.views.publish import (
    Publication,
    account_fill_message,
    balance_publications,
    fill_message,
    halt_json,
    market_status_message,
    order_message,
)

log = logging.getLogger(__name__)

R = TypeVar("R")
NO_EXPIRY = 2**64 - 1  # an order hash cancelled on-chain is never accepted again
FREEZE_CANCEL_REASON = "compliance_freeze"  # an order of a wallet compliance froze (deny-listed)
REPLACED_REASON = "replaced"  # the old order of a cancel-replace

Publisher = Callable[[list[Publication]], None]
WalletLoader = Callable[[str], dict[str, int]]
ClientOrderIdLoader = Callable[[str], dict[str, str]]  # wallet -> {client order id: order hash}, from the database
NonceLoader = Callable[[str], list[int]]  # wallet -> the nonces of all its stored orders


def _untraded(tracked: TrackedOrder) -> bool:
    """Whether an on-chain cancel of another order with its nonce rules `tracked` out: only if it never traded. One
    that traded on-chain has its own counter there and trades on; if its trades were skipped instead, the last
    skip rules it out (`chain_sync.RULED_OUT_BY_SKIP`)."""
    return tracked.filled == 0


def _charged_rate(market: Market, party: TrackedOrder, takes: bool) -> int:
    """The market's fee rate for the party's role, never above what its order signed: rates may have risen since it
    was placed, and the contract charges min(signed max, schedule) (a fee above it is skipped, FeeTooHigh)."""
    return min(market.taker_fee_rate if takes else market.maker_fee_rate, party.order.maxFeeRate)


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
        self.bulk_cancel_stamps: dict[str, int] = {}  # wallet -> its last bulk cancel's timestamp
        self.halts: dict[str, dict[str, Any]] = {}  # market -> its market_halts row
        self.alerts: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []

    def __bool__(self) -> bool:
        return bool(
            self.orders or self.fills or self.cursors or self.waiters or self.publications or self.cancel_after
            or self.bulk_cancel_stamps or self.halts or self.alerts or self.audit
        )  # fmt: skip


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
        load_nonces: NonceLoader,
        order_limits: OrderLimitGuard | None = None,
        risk_defaults: RiskSettings = RISK_OFF,
    ) -> None:
        self.domain = domain
        self.clock: Callable[[], int] = now_ms  # cancel-after deadlines' and market risk's clock (tests move it)
        self._risk = RiskDesk(risk_defaults, lambda: self.clock())
        self._engine = engine
        self._accounts = accounts
        self._limits = limits
        self._order_limits = order_limits  # the maker's maximum order notional (KYC tier); None: not checked
        self._markets: dict[str, Market] = {}
        self._pairs: dict[tuple[str, str], Market] = {}
        self._orders: dict[str, TrackedOrder] = {}  # live in the engine (resting or waiting)
        self._known_hashes: dict[str, int] = {}  # every order hash not yet expired -> expiry (s)
        self._bulk_cancel_stamps: dict[str, int] = {}  # wallet -> timestamp of its last bulk cancel
        # wallet -> {client order id: hash} over all its orders, loaded on the wallet's first id
        self._client_order_ids: dict[str, dict[str, str]] = {}
        self._nonces = UsedNonces()  # loaded with the wallet (`_ensure_wallet`), then every order accepted
        # market name -> its on-chain price source for stop orders (None: none); absent until first read
        self._price_sources: dict[str, PriceSource | None] = {}
        self._reference_read_at: dict[str, int] = {}  # market -> when (host clock, ms) its source was last read
        self._reference_while_open: dict[str, bool] = {}  # market -> open when its reference price was last set?
        self._cancel_after = cancel_after.Deadlines()
        self._freeze_pending = False  # a frozen wallet's order a halted market refused to cancel: try next sync
        # order hash -> reason: an order the chain ruled out whose cancel a halted market refused: tried each sync
        self._chain_cancels: dict[str, str] = {}
        self._next_order_seq = 1
        self._next_fill_id = 1
        self._broken: BaseException | None = None
        self._writer = writer
        self._load_wallet = load_wallet
        self._publish = publish
        self._load_client_order_ids = load_client_order_ids
        self._load_nonces = load_nonces
        self._cancel_after_timer: asyncio.TimerHandle | None = None
        self._batch = _Batch()
        self._in_flight = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reasons: dict[str, str] = {}  # order hash -> why we cancel it (overrides the engine's)
        self._written_seq = engine.command_seq  # the engine command seq of the last batch handed to the writer
        self._book_seqs: dict[str, int] = {}  # market -> seq of its latest book delta (see `book_seq`)
        self._book_seq_floor = 0  # every market's numbering continues above this after a restart
        self._book_seq_high = 0  # the highest book seq so far: persisted as BOOK_SEQ
        self._handlers: dict[type[Any], Callable[[Any], Any]] = {
            do.PlaceOrder: self._place,
            do.ReplaceOrder: self._replace,
            do.CancelOrder: self._cancel_order,
            do.BulkCancel: self._bulk_cancel,
            do.ArmCancelAfter: self._arm_cancel_after,
            do.FireCancelAfter: self._fire_cancel_after,
            do.BeginBalanceRead: self._begin_balance_read,
            do.HoldWithdrawal: self._hold_withdrawal,
            do.WithdrawalStored: self._withdrawal_stored,
            do.ReleaseWithdrawal: self._release_withdrawal,
            do.ApplySync: self._apply_sync,
            do.Tick: self._tick,
            do.SetMarket: self._set_market,
            do.SetPriceSources: self._set_price_sources,
            do.SetReferencePrices: self._set_reference_prices,
            do.HaltMarket: self._halt_market,
            do.ClearHalt: self._clear_halt,
            do.ResumeBookSeqs: self._resume_book_seqs,
            do.RunEngine: self._run_engine,
            do.AdoptOpenOrders: self._adopt_open_orders,
            do.CloseOrder: self._close_order,
            do.Resume: self._resume,
            do.MarkCursor: self._mark_cursor,
            do.StopOrderEntry: self._stop_order_entry,
        }

    # the door

    def handle(self, command: do.HostCommand[R]) -> R:
        """Apply one change (see `backend.trading.hosting.commands`) and return its result. Only on the
        host's own event loop: another thread hands the command to that loop instead."""
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is None or running is not self._loop_or_current():
            raise RuntimeError("the engine host changes only on its own event loop: hand the command to it")
        result: R = self._handlers[type(command)](command)
        return result

    # read-only views

    @property
    def engine(self) -> Engine:
        """The matching engine, for reads (books, depth, snapshots) and journal plumbing."""
        return self._engine

    @property
    def accounts(self) -> AccountBook:
        """Balances and holds, for reads."""
        return self._accounts

    @property
    def limits(self) -> Limits:
        """Order entry's limits from settings."""
        return self._limits

    @property
    def markets(self) -> Mapping[str, Market]:
        return MappingProxyType(self._markets)

    @property
    def orders(self) -> Mapping[str, TrackedOrder]:
        """The live orders (resting or waiting for their trigger) by hash."""
        return MappingProxyType(self._orders)

    def knows(self, order_hash: str) -> bool:
        """Whether an order of this hash was placed and has not expired: open or closed, stored or in a batch
        not yet durable."""
        return order_hash in self._known_hashes

    @property
    def price_sources(self) -> Mapping[str, PriceSource | None]:
        """Market name -> its price source for stop orders (None: none); a market not read yet is absent."""
        return MappingProxyType(self._price_sources)

    def source_prices(self) -> dict[str, int]:
        """Market name -> the price its price source was last read at (the top of the reading's range), for the
        markets with a usable reading read within the source's `max_age` (a node that cannot be read leaves the
        last reading in the engine, which must not price a withdrawal for ever): what a withdrawal is valued at
        in place of the market's last trade."""
        now, prices = self.clock(), {}
        for name in self._markets:
            reading, source = self._engine.reference_price(name), self._price_sources.get(name)
            read_at = self._reference_read_at.get(name, -(2**63))
            if reading is not None and source is not None and now - read_at <= source.max_age * 1000:
                prices[name] = reading[1]
        return prices

    @property
    def risk(self) -> RiskDesk:
        """Market risk: settings, reference prices, halts, open notional; for reads."""
        return self._risk

    def market_state(self, market: str) -> MarketState:
        """The state orders meet: the staff-set state, but cancel-only during a risk halt."""
        state = self._markets[market].state
        return MarketState.CANCEL_ONLY if state is MarketState.OPEN and market in self._risk.halts else state

    def market_status(self, market: str) -> dict[str, Any]:
        """The `markets` channel's message for `market` now."""
        return market_status_message(market, self.market_state(market).value, self._risk.halts.get(market))

    @property
    def nonces(self) -> UsedNonces:
        """The nonces of the loaded wallets' orders, for reads."""
        return self._nonces

    @property
    def cancel_after(self) -> cancel_after.Deadlines:
        """The cancel-after deadlines, for reads."""
        return self._cancel_after

    @property
    def broken(self) -> BaseException | None:
        """The fault that stopped order entry (storage, or the engine lease lost to another process), if any."""
        return self._broken

    # orders

    def _place(self, command: do.PlaceOrder) -> TrackedOrder:
        self._check_usable()
        ts = now_ms()
        return self._enter(command.request, self._check(command.request, ts), ts)

    def _replace(self, command: do.ReplaceOrder) -> TrackedOrder:
        """Nothing else runs between the cancel and the placement.

        The new order passes every pre-trade check first, against the state as it will be after the
        cancel (the old order's hold and open-order slot free), so a refusal there changes nothing.
        Only the engine's own verdict (post-only would cross, FOK not filled, ...) comes after the
        cancel: then the cancel stands and `ReplacePartlyFailed` says so.
        """
        old, request = command.old, command.request
        self._check_usable()
        if self._orders.get(old.hash) is not old:
            raise HdexError(ErrorCode.ORDER_NOT_OPEN, "the order to replace is no longer open", "cancel.orderHash")
        ts = now_ms()
        key = (old.maker, old.token)
        self._accounts.reserved[key] -= old.reserved  # as if cancelled, without marking it dirty
        self._accounts.open_orders[old.maker] -= 1
        self._risk.closed(old.maker, old.market, old.remaining, old.order.limitPrice)
        try:
            placement = self._check(request, ts)
        finally:
            self._accounts.reserved[key] += old.reserved
            self._accounts.open_orders[old.maker] += 1
            self._risk.opened(old.maker, old.market, old.remaining, old.order.limitPrice)
        self._cancel(old, REPLACED_REASON)
        try:
            return self._enter(request, placement, ts)
        except HdexError as exc:
            raise ReplacePartlyFailed(old, exc) from None

    def _check(self, request: OrderRequest, ts: int) -> Placement:
        with self._followed_if_kept(checksum(request.order.maker)):
            return self._check_order(request, ts)

    @contextmanager
    def _followed_if_kept(self, wallet: str) -> Iterator[None]:
        """Stop following a wallet taken in for a request that is refused, if it holds nothing: every sync reads the
        balances of every wallet followed, and keys cost nothing, so else each signed request of a fresh key would
        add one for good."""
        unknown = wallet not in self._accounts.balances
        try:
            yield
        except HdexError:
            if unknown and wallet in self._accounts.balances and self._accounts.forget_empty(wallet):
                self._nonces.forget(wallet)
                self._client_order_ids.pop(wallet, None)
            raise

    def _check_order(self, request: OrderRequest, ts: int) -> Placement:
        if self._risk.halts:
            self._reopen_due()  # a cool-down that just ended lets this order in
        placement = check_placement(
            request,
            domain=self.domain,
            markets=self._pairs,
            engine=self._engine,
            accounts=self._accounts,
            known_hashes=self._known_hashes,
            limits=self._limits,
            now_ms=ts,
            price_sources=self._price_sources,
            nonces=self._nonces,
            load_wallet=self._ensure_wallet,
            risk=self._risk,
        )
        if request.client_order_id is not None:
            self._check_client_order_id(placement.maker, request.client_order_id)
        if self._order_limits is not None:  # last: it may read the maker's level, like the balance check its funds
            order = request.order
            self._order_limits.check(
                placement.maker, placement.market, order.baseAmount,
                highest_price(placement.command, self._engine.best_bid(placement.market.name)), self._markets,
                self._engine.last_trade_price,
            )  # fmt: skip
        return placement

    def _check_client_order_id(self, maker: str, client_order_id: str) -> None:
        ids = self._client_order_ids.get(maker)
        if ids is None:  # the host writes every order, so after this load its map is complete
            ids = self._client_order_ids[maker] = self._load_client_order_ids(maker)
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
            request.signature,
            request.stored_time_in_force,
            self._next_order_seq,
            ts,
            request.client_order_id,
        )
        self._orders[tracked.hash] = tracked
        events = self._engine.apply(placement.command)
        rejected = next((e for e in events if type(e) is Rejected and e.order_id == tracked.hash), None)
        if rejected is not None:  # nothing happened in the book for it: nothing to hold or persist for it
            del self._orders[tracked.hash]
            # but the engine swept the orders expired by now first: they left the book and are closed here too
            self._absorb(events, ts)
            self._schedule_flush()  # the engine journaled the command; the cursor follows
            raise engine_error(rejected.reason)
        self._accounts.hold(tracked.maker, tracked.token, tracked.reserved)  # before its fills move it
        self._risk.opened(tracked.maker, tracked.market, tracked.remaining, request.order.limitPrice)
        self._next_order_seq += 1
        self._known_hashes[tracked.hash] = request.order.expiry
        self._nonces.add(tracked.maker, request.order.nonce)
        self._accounts.open_orders[tracked.maker] += 1
        if tracked.client_order_id is not None:
            self._client_order_ids[tracked.maker][tracked.client_order_id] = tracked.hash
        self._batch.orders[tracked.hash] = tracked
        self._batch.publications.append((f"account:{tracked.maker}", order_message(tracked)))
        self._absorb(events, ts)
        self._schedule_flush()
        return tracked

    def _cancel_order(self, command: do.CancelOrder) -> None:
        self._cancel(command.order, command.reason)

    def _cancel(self, tracked: TrackedOrder, reason: str | None = None) -> None:
        self._check_usable()
        if reason is not None:
            self._reasons[tracked.hash] = reason
        events = self._apply(CancelOrder(tracked.hash, now_ms()))
        rejected = next((e for e in events if type(e) is Rejected), None)
        if rejected is not None:
            self._reasons.pop(tracked.hash, None)
            raise engine_error(rejected.reason)

    def _bulk_cancel(self, command: do.BulkCancel) -> do.BulkCancelled:
        maker = command.maker
        self._check_usable()  # a request refused changes nothing: sent again once order entry is back, it passes
        check_bulk_timestamp(command.timestamp_ms, self._bulk_cancel_stamps.get(maker, 0), now_ms())
        cancelled = self._cancel_all(maker, command.market)
        # stored with the cancels it made: after a restart the same request is a replay still
        self._bulk_cancel_stamps[maker] = self._batch.bulk_cancel_stamps[maker] = command.timestamp_ms
        self._schedule_flush()  # also when it found nothing to cancel
        # Only a cancel of every market gets here past a halted one (one naming it is refused MARKET_HALTED): the
        # orders it kept are answered, for the client to cancel once the market reopens (or on-chain, at once).
        kept = [t.hash for t in self._orders.values() if t.maker == maker and command.market in (None, t.market)]
        return do.BulkCancelled(cancelled, kept)

    def _cancel_all(self, maker: str, market: str | None, reason: str | None = None) -> list[str]:
        """Cancel every live order of `maker` (in `market`, or everywhere); returns their hashes."""
        self._check_usable()
        doomed: list[str] = []
        if reason is not None:
            doomed = [t.hash for t in self._orders.values() if t.maker == maker and market in (None, t.market)]
            self._reasons.update(dict.fromkeys(doomed, reason))
        events = self._apply(CancelAll(maker, market, now_ms()))
        for order_hash in doomed:  # those the engine did not cancel (a halted market) keep no reason
            self._reasons.pop(order_hash, None)
        rejected = next((e for e in events if type(e) is Rejected), None)
        if rejected is not None:
            raise engine_error(rejected.reason)
        return [e.order_id for e in events if type(e) is OrderCancelled]

    # cancel-after (backend.trading.rules.cancel_after): a timer on this loop, never another thread

    def _arm_cancel_after(self, command: do.ArmCancelAfter) -> int:
        """The new deadline (persisted with the next batch) in ms, 0 when off."""
        wallet, market = command.wallet, command.market
        self._check_usable()  # a request refused changes nothing: its timestamp is not spent
        check_bulk_timestamp(command.timestamp_ms, self._cancel_after.last_timestamp(wallet, market), now_ms())
        entry = self._cancel_after.set(wallet, market, command.timeout_ms, command.timestamp_ms, self.clock())
        self._batch.cancel_after[(entry.wallet, entry.scope)] = entry.row()
        self._arm_cancel_after_timer()
        self._schedule_flush()
        return entry.deadline_ms

    def _fire_cancel_after(self, command: do.FireCancelAfter | None = None) -> None:
        """Cancel the open orders of every passed deadline, then arm the timer for the next one (the
        timer's callback; the service fires it at start for deadlines that passed while down)."""
        waiting = False
        for entry in self._cancel_after.due(self.clock()):
            try:
                self._cancel_all(entry.wallet, entry.market, cancel_after.REASON)
            except HdexError as exc:
                log.warning("cancel-after not applied", extra={"wallet": entry.wallet, "error": exc.message})
            if any(t.maker == entry.wallet and entry.market in (None, t.market) for t in self._orders.values()):
                waiting = True  # a halted market refused: the deadline stays due, tried again soon
                continue
            entry.deadline_ms = 0
            self._batch.cancel_after[(entry.wallet, entry.scope)] = entry.row()
            self._schedule_flush()
        self._arm_cancel_after_timer(cancel_after.RETRY_MS if waiting else 0)

    def stop_cancel_after(self) -> None:
        """Disarm the timer (at shutdown: the stored deadlines fire after the restart)."""
        if self._cancel_after_timer is not None:
            self._cancel_after_timer.cancel()
            self._cancel_after_timer = None

    def _arm_cancel_after_timer(self, min_delay_ms: int = 0) -> None:
        self.stop_cancel_after()
        deadline = self._cancel_after.next_deadline()
        if deadline is not None:
            delay = max(min_delay_ms, deadline - self.clock()) / 1000
            self._cancel_after_timer = self._loop_or_current().call_later(delay, self._fire_cancel_after)

    # withdrawals (backend.trading.usecases.withdrawals): check and hold in one step, like an order's

    def _begin_balance_read(self, command: do.BeginBalanceRead) -> int:
        return self._accounts.begin_read()

    def _hold_withdrawal(self, command: do.HoldWithdrawal) -> None:
        self._check_usable()
        with self._followed_if_kept(command.wallet):
            self._accounts.apply_read(command.read_stamp, {command.wallet: command.balances})
            self._accounts.hold_withdrawal(command.request_hash, command.wallet, command.token, command.amount)
        self._schedule_flush()  # announces the balance

    def _withdrawal_stored(self, command: do.WithdrawalStored) -> None:
        self._accounts.withdrawal_stored(command.request_hash)

    def _release_withdrawal(self, command: do.ReleaseWithdrawal) -> None:
        self._accounts.release_withdrawal(command.request_hash)
        self._schedule_flush()

    # following the database (backend.trading.hosting.chain_sync)

    def _apply_sync(self, command: do.ApplySync) -> None:
        read = command.read
        for _, name, args in read.events:
            if name == "ExitCancelled":
                self._accounts.exiting.discard(str(args["wallet"]))
                continue
            if name == "ExitRequested":
                wallet = str(args["wallet"])
                self._accounts.exiting.add(wallet)
                doomed = [t for t in self._orders.values() if t.maker == wallet]
            elif name == "NonceFloorRaised":
                wallet, floor = str(args["wallet"]), int(args["nonceFloor"])
                self._accounts.nonce_floors[wallet] = max(self._accounts.nonce_floor(wallet), floor)
                doomed = [t for t in self._orders.values() if t.maker == wallet and t.order.nonce < floor]
            else:
                order_hash, wallet, nonce = str(args["orderHash"]).lower(), str(args["maker"]), spent_nonce(args)
                self._known_hashes[order_hash] = NO_EXPIRY
                doomed = [self._orders[order_hash]] if order_hash in self._orders else []
                if nonce is not None:
                    if self._nonces.loaded(wallet):  # else loading it reads the cancel with the orders
                        self._nonces.add(wallet, nonce)
                    self._chain_cancels.update(
                        (t.hash, NONCE_SPENT_REASON)
                        for t in self._orders.values()
                        if t.maker == wallet and t.order.nonce == nonce and t.hash != order_hash and _untraded(t)
                    )
            self._chain_cancels.update((tracked.hash, ON_CHAIN_CANCEL_REASONS[name]) for tracked in doomed)
        # orders the contract skipped a trade of for good: every later trade of them would fail the same way
        self._chain_cancels.update((h, reason) for h, reason in read.ruled_out if h in self._orders)
        if read.events:
            self._batch.cursors[CHAIN_EVENT_ID] = command.event_cursor
        # the read's balances, and the holds of fills the relayer settled or failed (announced with the batch)
        self._accounts.apply_read(command.read_stamp, read.balances, read.released_holds)
        ts = now_ms()
        for market in read.markets:
            self._define_market(market, ts, read.risk.get(market.name))
        # after the markets: one reopened now takes the cancels it refused
        if read.frozen != self._accounts.frozen or self._freeze_pending:
            self._accounts.frozen = read.frozen
            self._freeze_pending = self._cancel_frozen_orders()
        self._cancel_ruled_out_on_chain()
        self._schedule_flush()

    def _cancel_ruled_out_on_chain(self) -> None:
        """Cancel the orders the chain ruled out (`_chain_cancels`); one a halted market refuses stays, tried again
        at the next sync: the contract settles none of its trades, so it must leave the book once it can."""
        for order_hash, reason in list(self._chain_cancels.items()):
            tracked = self._orders.get(order_hash)
            try:
                if tracked is not None:
                    self._cancel(tracked, reason)
            except HdexError as exc:
                log.warning("on-chain cancel not applied yet", extra={"order": order_hash, "error": exc.message})
                continue
            del self._chain_cancels[order_hash]

    def _cancel_frozen_orders(self) -> bool:
        """Cancel every open order of a frozen wallet; True if a halted market refused one (retried next sync)."""
        refused = False
        for tracked in [t for t in self._orders.values() if t.maker.lower() in self._accounts.frozen]:
            try:
                self._cancel(tracked, FREEZE_CANCEL_REASON)
            except HdexError as exc:  # the relayer settles no fill of a frozen wallet meanwhile (screening)
                refused = True
                extra = {"order": tracked.hash, "error": exc.message}
                log.warning("frozen wallet's order not cancelled yet", extra=extra)
        return refused

    def _tick(self, command: do.Tick) -> None:
        self._reopen_due()
        self._fire_cancel_after()  # a market may have reopened: deadlines waiting on it fire before anything matches
        self._apply(ExpireOrders(command.now_ms))
        now_s = command.now_ms // 1000
        for order_hash in [h for h, expiry in self._known_hashes.items() if expiry < now_s - 1]:
            del self._known_hashes[order_hash]

    def _set_market(self, command: do.SetMarket) -> None:
        self._define_market(command.market, command.ts, command.risk)

    def _set_price_sources(self, command: do.SetPriceSources) -> None:
        self._price_sources.update(command.sources)

    def _set_reference_prices(self, command: do.SetReferencePrices) -> bool:
        if self._broken is not None:  # trades it fired could not be stored: the next host fires them
            return False
        ts, applied = now_ms(), False
        for name, price in command.prices.items():
            if name not in self._markets:
                continue
            self._reference_read_at[name] = self.clock()
            is_open = self._engine.market_state(name) is MarketState.OPEN
            known = self._engine.reference_price(name)
            # Journaled when it changed, or unchanged once the market is open if it was taken in while the market
            # was not (it fired nothing then, and opening fires nothing by itself).
            if price == known and (price is None or not is_open or self._reference_while_open.get(name, False)):
                continue
            at_least, at_most = (0, 0) if price is None else price
            self._apply(SetReferencePrice(name, at_least, at_most, ts))
            self._reference_while_open[name] = is_open
            applied = True
        return applied

    def _define_market(self, market: Market, ts: int, risk: Mapping[str, Any] | None = None) -> None:
        """Register or update a market: open its book if the engine lacks it, take in its risk settings, align
        its state (a risk halt keeps an open market cancel-only)."""
        self._markets[market.name] = market
        self._pairs[(market.base_token.lower(), market.quote_token.lower())] = market
        if market.name not in self._engine.markets():
            self._apply(market.engine_command(ts))
        self._risk.define(market.name, risk, self._engine.last_trade_price(market.name))
        self._align_state(market.name, ts)

    def _align_state(self, market: str, ts: int) -> None:
        state = self.market_state(market)
        if self._engine.market_state(market) is not state:
            self._apply(SetMarketState(market, state, ts))

    # market risk (backend.trading.rules.risk): halts start here or come from outside; the batch writes them

    def _halt_market(self, command: do.HaltMarket) -> Halt:
        halt = command.halt
        if halt.market not in self._markets:
            raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {halt.market}", "market")
        if halt.kind not in HALT_KINDS:
            raise HdexError(ErrorCode.INVALID_FIELD, f"a halt's kind is one of {', '.join(HALT_KINDS)}", "kind")
        in_force = self._start_halt(halt)
        if command.alert is not None:  # in the halt's batch: a halt is never stored without the alert that says why
            self._batch.alerts.append(command.alert.arguments())
        return in_force

    def _clear_halt(self, command: do.ClearHalt) -> bool:
        halt = self._risk.halts.get(command.market)
        if halt is None:
            return False
        self._batch.audit.append({
            "actor": command.actor, "action": "market.halt.clear", "target": f"market:{command.market}",
            "before": halt_json(halt), "after": None, "ip": command.ip,
        })  # fmt: skip
        self._end_halt(command.market, command.actor)
        return True

    def _start_halt(self, halt: Halt) -> Halt:
        current = self._risk.halts.get(halt.market)
        in_force = self._risk.halt(halt)
        if in_force is not current:
            self._batch.halts[halt.market] = in_force.row()
            self._align_state(halt.market, self.clock())
            self._batch.publications.append(("markets", self.market_status(halt.market)))
            log.warning("market halted", extra={"market": halt.market, "kind": halt.kind, "reason": halt.reason})
        self._schedule_flush()
        return in_force

    def _end_halt(self, market: str, cleared_by: str | None = None) -> None:
        halt = self._risk.end_halt(market)
        if halt is None:
            return
        if cleared_by is not None:
            self._batch.halts[market] = halt.row(cleared_by)
        self._align_state(market, self.clock())
        self._batch.publications.append(("markets", self.market_status(market)))
        log.info("market reopened", extra={"market": market, "cleared_by": cleared_by})
        self._schedule_flush()

    def _reopen_due(self) -> None:
        for market in self._risk.due_to_reopen():
            self._end_halt(market)

    def _act_on_moves(self) -> None:
        """After an order's trades: halt a market that moved past its breaker, alert on one past its alert."""
        now = self.clock()
        for market, move, reference, price in self._risk.take_moves():
            settings = self._risk.settings(market)
            subject = f"market:{market}"
            details = {"reference": str(reference), "price": str(price), "moveBps": move_bps(reference, price),
                       "windowS": settings.window_s}  # fmt: skip
            if move is Move.BREAKER and market not in self._risk.halts:
                halt = self._start_halt(breaker_halt(market, reference, price, settings, now))
                self._batch.alerts.append({
                    "kind": AlertKind.CIRCUIT_BREAKER, "severity": Severity.CRITICAL,
                    "message": f"{market} halted until {halt.until_ms}: {halt.reason}", "subject": subject,
                    "details": {**details, "until": halt.until_ms}, "now_ms": now,
                })  # fmt: skip
            elif (window := self._risk.alert_window(market)) is not None:
                self._batch.alerts.append({
                    "kind": AlertKind.VOLATILITY, "severity": Severity.WARNING,
                    "message": f"{market} moved {move_bps(reference, price) / 100:g}% from the reference {reference} "
                    f"to {price} within {settings.window_s} s (alert at {settings.alert_bps / 100:g}%)",
                    "subject": subject, "details": details, "dedup_key": f"{AlertKind.VOLATILITY}:{market}:{window}",
                    "now_ms": now,
                })  # fmt: skip

    # start-up (backend.trading.hosting.restore)

    def _run_engine(self, command: do.RunEngine) -> list[Event]:
        return self._apply(command.command)

    def _adopt_open_orders(self, command: do.AdoptOpenOrders) -> None:
        for tracked in command.orders:
            self._orders[tracked.hash] = tracked
            self._accounts.open_orders[tracked.maker] += 1
            self._risk.opened(tracked.maker, tracked.market, tracked.remaining, tracked.order.limitPrice)
            self._accounts.hold(tracked.maker, tracked.token, tracked.reserved)
        for wallet, token, amount in command.fill_holds:
            self._accounts.hold(wallet, token, amount)
        self._accounts.apply_read(self._accounts.begin_read(), command.balances)

    def _close_order(self, command: do.CloseOrder) -> None:
        self._close(command.order_hash, command.status, command.reason, command.ts)

    def _resume(self, command: do.Resume) -> None:
        self._known_hashes.update(command.known_hashes)
        self._known_hashes.update(dict.fromkeys(command.cancelled_on_chain, NO_EXPIRY))  # as the sync marks them
        self._next_order_seq, self._next_fill_id = command.next_order_seq, command.next_fill_id
        self._accounts.nonce_floors.update(command.nonce_floors)
        self._accounts.exiting = set(command.exiting)
        self._cancel_after.load(command.deadlines)
        self._bulk_cancel_stamps.update(command.bulk_cancel_stamps)
        # Refused from the start, not from the first sync an interval later (commands waiting in the stream are
        # applied at once); their open orders that a halted market kept are cancelled from that sync on.
        self._accounts.frozen, self._freeze_pending = command.frozen, True
        # open orders the chain ruled out that a halted market kept (the events are behind the cursor now)
        for tracked in self._orders.values():
            if tracked.hash in command.cancelled_on_chain:
                self._chain_cancels[tracked.hash] = ON_CHAIN_CANCEL_REASONS["OrderCancelledByMaker"]
            elif (tracked.maker, tracked.order.nonce) in command.spent_nonces and _untraded(tracked):
                self._chain_cancels[tracked.hash] = NONCE_SPENT_REASON
            elif tracked.hash in command.ruled_out:
                self._chain_cancels[tracked.hash] = command.ruled_out[tracked.hash]
            elif tracked.order.nonce < self._accounts.nonce_floor(tracked.maker):
                self._chain_cancels[tracked.hash] = ON_CHAIN_CANCEL_REASONS["NonceFloorRaised"]
            elif tracked.maker in self._accounts.exiting:
                self._chain_cancels[tracked.hash] = ON_CHAIN_CANCEL_REASONS["ExitRequested"]
        self._cancel_ruled_out_on_chain()
        self._accounts.dirty.update(key for key, amount in self._accounts.reserved.items() if amount)
        self._schedule_flush()

    def _stop_order_entry(self, command: do.StopOrderEntry) -> None:
        if self._broken is None:
            self._broken = command.error

    def _mark_cursor(self, command: do.MarkCursor) -> None:
        self._batch.cursors[command.name] = command.value
        self._schedule_flush()

    # engine commands

    def _apply(self, command: Command) -> list[Event]:
        """Run an engine command and fold its events into the open batch."""
        events = self._engine.apply(command)
        self._absorb(events, command.ts)
        self._schedule_flush()
        return events

    def stored_nonces(self, wallet: str) -> list[int]:
        """The nonces the database holds for `wallet` (EIP-55), read without loading them into the host (a worker
        thread may call this)."""
        return self._load_nonces(wallet)

    def _ensure_wallet(self, wallet: str) -> None:
        """Load a wallet's (EIP-55) balances and used nonces on first sight; the sync keeps the balances
        fresh after, and the host itself the nonces (it writes every order)."""
        if wallet not in self._accounts.balances:
            self._accounts.set_wallet_balances(wallet, self._load_wallet(wallet))
        if not self._nonces.loaded(wallet):
            self._nonces.load(wallet, self._load_nonces(wallet))

    def _check_usable(self) -> None:
        if isinstance(self._broken, LeaseLost):
            raise HdexError(ErrorCode.UNAVAILABLE, LOST_MESSAGE)
        if self._broken is not None:
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
                # A cancel under way for it (its reason waiting) may have met it expired: the engine sweeps what has
                # expired before any command, so it closed as expired, not for the cancel's reason.
                waiting = self._reasons.pop(event.order_id, None)
                if isinstance(event, OrderExpired):
                    self._close(event.order_id, OrderStatus.EXPIRED, "expired", ts)
                else:
                    self._close(event.order_id, OrderStatus.CANCELLED, waiting or event.reason.value, ts)
            elif kind is OrderTriggered:
                assert isinstance(event, OrderTriggered)
                tracked = self._orders.get(event.order_id)
                if tracked is not None:
                    tracked.triggered = True
                    # it joined its price level now, behind every order already there: so a rebuild places it
                    tracked.book_seq, self._next_order_seq = self._next_order_seq, self._next_order_seq + 1
                    batch.orders[tracked.hash] = tracked  # stored: a restore puts it back as its limit order
                    batch.publications.append((f"account:{tracked.maker}", order_message(tracked, "triggered")))
        if self._risk.moved:
            self._act_on_moves()

    def _fill(self, trade: Trade, ts: int) -> None:
        maker, taker = self._orders[trade.maker_order_id], self._orders[trade.taker_order_id]
        market = self._markets[trade.market]
        qty, price = trade.qty, trade.price
        quote = quote_amount(qty, price)
        buyer, seller = (taker, maker) if trade.taker_side is Side.BUY else (maker, taker)
        buyer_fee = fee(qty, _charged_rate(market, buyer, buyer is taker))
        seller_fee = fee(quote, _charged_rate(market, seller, seller is taker))
        self._risk.trade(market.name, price)
        for tracked, pays, hold_release in (
            (seller, qty, qty),
            (buyer, quote, quote_amount(qty, buyer.order.limitPrice)),
        ):
            tracked.filled += qty
            tracked.filled_quote += quote
            tracked.reserved -= hold_release
            self._risk.closed(tracked.maker, tracked.market, qty, tracked.order.limitPrice)
            tracked.updated_ms = ts
            self._accounts.release(tracked.maker, tracked.token, hold_release)
            self._accounts.hold(tracked.maker, tracked.token, pays)  # until the fill settles
            self._batch.orders[tracked.hash] = tracked
            if tracked.remaining == 0:
                self._close(tracked.hash, OrderStatus.FILLED, None, ts)
        row = {
            "id": self._next_fill_id,
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
            "status": FillStatus.UNSETTLED,
            "tx_hash": None,
            "failure": None,
            "released": False,
            "created_at_ms": ts,
        }
        self._next_fill_id += 1
        self._batch.fills.append(row)
        message = fill_message(row)
        self._batch.publications.append((f"trades:{market.name}", message))
        for own in {maker.maker: maker, taker.maker: taker}.values():
            party_view = {**account_fill_message(row, market, own.maker, own.client_order_id), "type": "fill"}
            self._batch.publications.append((f"account:{own.maker}", party_view))

    def _close(self, order_hash: str, status: OrderStatus, reason: str | None, ts: int) -> None:
        """Take a tracked order out: release its hold and record why."""
        tracked = self._orders.pop(order_hash, None)
        if tracked is None:
            return
        self._accounts.release(tracked.maker, tracked.token, tracked.reserved)
        self._risk.closed(tracked.maker, tracked.market, tracked.remaining, tracked.order.limitPrice)
        tracked.reserved = 0
        tracked.status, tracked.reason, tracked.updated_ms = status, reason, ts
        self._accounts.open_orders[tracked.maker] -= 1
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
        return bool(self._batch or self._accounts.dirty or self._accounts.changed) or (
            self._engine.command_seq != self._written_seq
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
        if self._broken is not None:
            # A batch was lost (or the lease): a later one may rest on it (a trade against an order never stored),
            # so nothing more is written, even once the storage is back. The service lets this host go.
            self._in_flight = False
            self._fail(batch)
            return
        self._written_seq = self._engine.command_seq
        batch.publications.extend(balance_publications(self._accounts, self._markets))
        rows = BatchRows(
            fills=batch.fills,
            reservations=[
                {"wallet": w, "token": t, "amount": amount} for (w, t), amount in self._accounts.take_dirty().items()
            ],
            cursors={**batch.cursors, ENGINE_SEQ: self._written_seq},
            cancel_after=list(batch.cancel_after.values()),
            bulk_cancel_stamps=[{"wallet": w, "timestamp_ms": ts} for w, ts in batch.bulk_cancel_stamps.items()],
            halts=list(batch.halts.values()),
            alerts=batch.alerts,
            audit=batch.audit,
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
            self._broken = error
            self._fail(batch)
            if self._batch.waiters:  # joined while this one was written: their answer now, not at the next sync
                self._schedule_flush()
            return
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_result(None)
        if batch.publications:
            self._publish(batch.publications)
        self._schedule_flush()

    @staticmethod
    def _fail(batch: _Batch) -> None:
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_exception(HdexError(ErrorCode.UNAVAILABLE, "the order could not be stored"))

    @property
    def idle(self) -> bool:
        """No batch open or being written: the engine's state is exactly what is committed. Never once a write
        failed (`broken`): the engine holds commands the database does not, and a snapshot of it would be ahead."""
        return self._broken is None and not (self._in_flight or self._unwritten())

    async def drain(self) -> None:
        """Wait until every change so far is durable, or the host stopped (it writes nothing more)."""
        while not self.idle and self._broken is None:
            self._schedule_flush()
            await asyncio.sleep(0.005)

    # book sequence numbers

    def book_seq(self, market: str) -> int:
        """The `seq` of the market's latest book delta: its book channel's position for clients."""
        return self._book_seqs.get(market, self._book_seq_floor)

    def _resume_book_seqs(self, command: do.ResumeBookSeqs) -> None:
        self._book_seq_floor = self._book_seq_high = command.floor

    def _book_delta(self, event: BookDelta) -> dict[str, Any]:
        seq = self._book_seqs[event.market] = self.book_seq(event.market) + 1
        if seq > self._book_seq_high:  # stored with this batch, before its deltas are published
            self._book_seq_high = self._batch.cursors[BOOK_SEQ] = seq
        return {"seq": seq, "side": event.side.value, "price": str(event.price), "qty": str(event.level_qty)}
