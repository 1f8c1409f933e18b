"""The trading service of one API process: builds the engine host at start, follows the database
every `trading_sync_interval` seconds, the markets' on-chain price sources every `PRICE_SOURCE_REFRESH_S` and
their reference prices (which fire stop orders without the operator-triggered flag) every
`stop_reference_poll_s`, snapshots when idle, and stops cleanly.

Without an Exchange deployment recorded for the configured chain there is nothing to sign orders
for: `host` stays None and the order routes answer NOT_DEPLOYED.

The host runs only while this process holds the engine lease (`backend.trading.hosting.lease`). If another
engine process holds it, this one stands by (`standing_by`; the order routes answer 503) and starts its host
the moment the lease is free: the other stopped, or died and let it run out. A host that finds the lease taken
over stops order entry at once (`StopOrderEntry`) and commits nothing more. A stopped host (the lease lost, or a
storage fault, after which the lease is given up) is let go at the next lease round and this process stands by
again: it starts a new host from the database and its journal, as a restarted process would, once the lease is
free. So a deposed process becomes the new holder's standby, and a lone one trades again after a passing fault.
After a fault of its own (a storage fault, a host that would not start) it waits a whole term before the next
host, twice as long after each further fault in a row, up to `MAX_RETRY_WAIT_S`: a database that keeps refusing
is not made to rebuild the book every few seconds. A host that ran a whole term ends the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from backend.alerts.store import PendingAlert
from backend.bootstrap import Container
from backend.chain.deployments import load_deployments
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.chain.price_sources import latest_block, read_price_feed, read_reference_price
from backend.db.lease_mark import mark_path
from backend.engine.adapters.file_journal import FileJournal
from backend.errors import ErrorCode, HdexError
from backend.limits.orders import order_limits_for
from backend.metrics import ENGINE_HOST_STOPS, ENGINE_SYNC_FAILURES, ENGINE_SYNC_LAST_SUCCESS
from backend.signing import Domain
from backend.trading.hosting.chain_sync import SyncRead, read_sync, wallet_balances
from backend.trading.hosting.commands import (
    ApplySync,
    BeginBalanceRead,
    ClearHalt,
    FireCancelAfter,
    HaltMarket,
    MarkCursor,
    SetMarket,
    SetPriceSources,
    SetReferencePrices,
    StopOrderEntry,
    Tick,
)
from backend.trading.hosting.host import EngineHost, Publisher, now_ms
from backend.trading.hosting.journal import JournalStore
from backend.trading.hosting.lease import ENGINE_LEASE, EngineLease, Fence, LeaseLost
from backend.trading.hosting.persistence import CHAIN_EVENT_ID, BatchWriter
from backend.trading.hosting.restore import chain_cursor, recover_engine, restore_host
from backend.trading.rules.accounts import AccountBook
from backend.trading.rules.checks import Limits
from backend.trading.rules.markets import Market, PriceSource
from backend.trading.rules.risk import Halt
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import load_market_risk, risk_defaults
from backend.trading.views import queries

log = logging.getLogger(__name__)

SYNC_MAX_BACKOFF_S = 30.0  # the longest wait between sync rounds that keep failing
# How often the markets' price sources are read from the Exchange. They change only through the Custody
# timelock, so a change reaches order entry well before it could surprise anyone.
PRICE_SOURCE_REFRESH_S = 30.0
PRICE_SOURCE_RPC_TIMEOUT_S = 5.0
HostStarted = Callable[[EngineHost], Awaitable[None]]
HostStopped = Callable[[], None]
MAX_RETRY_WAIT_S = 300.0  # the longest wait for the next host after faults in a row (unless a term is longer)


class TradingService:
    """Owns the engine host of this process (see the module docs)."""

    def __init__(
        self,
        container: Container,
        publish: Publisher,
        on_started: HostStarted | None = None,
        on_stopped: HostStopped | None = None,
    ) -> None:
        """`on_started(host)` runs when a host that started after standing by is about to take orders (`start`
        returns with the host of a process that did not have to wait, and its caller takes it from there);
        `on_stopped()` once a stopped host was let go (nothing it published goes on: another process runs the
        book, or none does until this one takes it back)."""
        self.container = container
        self.publish = publish
        self.host: EngineHost | None = None
        settings = container.settings
        self.lease = EngineLease(
            container.session_factory, settings.engine_lease_s, mark=mark_path(settings.data_dir, ENGINE_LEASE)
        )
        # The fence of the current host's writes (`EngineLease.term_fence`); a write takes it when it begins.
        self.fence: Fence = self.lease.term_fence()
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._faults = 0  # faults of its own in a row (see the module docs)
        self._host_since = 0.0  # the loop time the current host started
        self._lease_task: asyncio.Task[None] | None = None
        self.domain: Domain | None = None
        self._journal: FileJournal | None = None
        self._store: JournalStore | None = None
        self._writer: BatchWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._price_task: asyncio.Task[None] | None = None
        # one reading at a time (the loop's and a caller's): a reading read earlier is never applied after a later one
        self._reading = asyncio.Lock()
        self._exchange: str | None = None
        self._event_cursor = 0
        self._fill_cursor = 0  # where the next sync's claim of resolved fills starts
        self._unsure_claims: set[int] = set()  # fills claimed by a sync whose commit may have landed (`read_sync`)
        self._snapshot_seq = 0

    def start(self) -> None:
        """Recover and reconcile the engine if this process takes the engine lease, else stand by for it (call
        with the event loop running)."""
        settings = self.container.settings
        try:
            with self.container.uow() as uow:
                exchange = load_deployments(uow.session, settings.chain_id).get("Exchange")
            taken = exchange is not None and self.lease.take()
        except SQLAlchemyError as exc:  # unreachable or not migrated: /health says so; no order entry
            log.warning("database not usable: order entry disabled", extra={"error": str(exc)})
            return
        if exchange is None:
            log.info("no Exchange deployment recorded: order entry disabled")
            return
        self._exchange = exchange
        self.domain = Domain(settings.chain_id, exchange)
        if taken:
            self.host = self._start_host(self.domain)
        else:
            log.warning(  # a crashed holder's lease runs out by itself: the holder says when
                "another engine process holds the engine lease: standing by until it stops or its lease runs out",
                extra={"holder": self.lease.holder()},
            )
        self._lease_task = asyncio.get_running_loop().create_task(self._hold_lease(), name="engine-lease")

    def _start_host(self, domain: Domain) -> EngineHost:
        """Recover and reconcile the engine, holding the engine lease: renewed meanwhile from a thread (`kept`), as
        the restore holds the event loop and its heartbeat for as long as it takes. The caller makes the host this
        process's (`self.host`): order entry and the stream reach it from then on."""
        with self.lease.kept():
            return self._restore_host(domain)

    def _restore_host(self, domain: Domain) -> EngineHost:
        settings = self.container.settings
        with self.container.uow() as uow:
            committed_seq, self._event_cursor = chain_cursor(uow.session)
        self._unsure_claims.clear()  # a restored host holds no released fill (holds are rebuilt from the rest)
        store = self._store = JournalStore(_engine_dir(self.container), settings.engine_fsync)
        engine = recover_engine(store, committed_seq)
        self.fence = self.lease.term_fence()
        self._writer = BatchWriter(self.container.session_factory, self._flush_journal, self.fence)
        host = EngineHost(
            engine,
            domain,
            AccountBook(),
            self._writer,
            Limits(settings.max_open_orders, settings.immediate_order_max_expiry_s, settings.settlement_margin_s),
            self._load_wallet,
            self.publish,
            self._load_client_order_ids,
            self._load_nonces,
            order_limits_for(self.container),
            risk_defaults(settings),
        )
        self._writer.start()
        try:
            with self.container.session_factory() as session:
                self._journal = restore_host(host, session, store, settings.chain_id, self.fence)
        except BaseException:  # no host: no writer thread left behind for a later try to duplicate
            self._writer.stop()
            self._writer = None
            raise
        self._snapshot_seq = engine.command_seq
        host.handle(MarkCursor(CHAIN_EVENT_ID, self._event_cursor))  # persists the rebuilt reservations too
        host.handle(FireCancelAfter())  # fires the deadlines that passed while the process was down, arms the rest
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._follow(), name="engine-sync")
        self._price_task = loop.create_task(self._follow_price_sources(), name="engine-price-sources")
        self._host_since = loop.time()
        log.info("engine host started", extra={"markets": len(host.markets), "open_orders": len(host.orders)})
        return host

    async def _hold_lease(self) -> None:
        """Renew the lease (a third of its term apart, so a slow database round does not lose it) while the host
        runs; while standing by, take it as soon as it is free and start the host: a third of a term apart too,
        or when the holder's term runs out if that comes sooner. A host found stopped is let go and the process
        stands by (`_let_go`), for `_wait_after` its fault. Runs until cancelled."""
        interval = self.lease.renew_every_s
        wait = interval if self.host is not None else self._standby_wait()
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(wait)
            wait = interval
            try:
                if self.host is not None and self.host.broken is not None:
                    fault = self.host.broken
                    wait = self._wait_after(fault)
                    await self._give_up(fault, wait)
                    await self._let_go(self.host)
                elif self.host is not None:
                    await asyncio.to_thread(self.lease.renew)
                    if self._faults and loop.time() - self._host_since >= self.lease.ttl_s:
                        log.info("engine host ran a whole term: the next fault waits a term again",
                                 extra={"faults_in_a_row": self._faults})  # fmt: skip
                        self._faults = 0
                elif self.domain is not None:
                    if await asyncio.to_thread(self.lease.take):
                        wait = await self._take_over(self.domain)
                    else:
                        wait = self._standby_wait()
            except LeaseLost as exc:
                self._lost(exc)
                await self._let_go(self.host)
            except SQLAlchemyError as exc:  # the database is away: the fence of the next write decides; keep trying
                log.warning("engine lease round failed; retrying", extra={"error": str(exc)})

    def _wait_after(self, fault: BaseException) -> float:
        """The wait before the next lease round after `fault` stopped a host or kept one from starting. The lease
        lost is no fault of this process's own: the next round, as ever. Any other is counted: a whole term, so
        that a standing-by process (a round every third of one) goes first, doubled with each further fault in a
        row."""
        if isinstance(fault, LeaseLost):
            return self.lease.renew_every_s
        self._faults += 1
        ttl_s = self.lease.ttl_s
        return min(ttl_s * 2.0 ** (self._faults - 1), max(ttl_s, MAX_RETRY_WAIT_S))

    def _standby_wait(self) -> float:
        """Until the next try to take the lease: when the holder's term runs out (it may not renew: it crashed),
        unless the next round comes sooner."""
        return min(self.lease.renew_every_s, self.lease.free_in + 0.05)

    async def _take_over(self, domain: Domain) -> float:
        """Start the host, the lease just taken while standing by, and make it this process's once `on_started` has
        run (the market-data hub seeded from its book: an order taken before would publish onto views not seeded
        yet, and a client subscribing then would get a book of only the levels it touched). Returns the wait
        before the next lease round. If it does not start (the lease lost during a long restore, the database or
        the journal failing, or the seed), give the lease back and stand by on: another process tries again, or
        this one `_wait_after` its fault."""
        log.warning("engine lease taken: starting the engine host")
        try:
            host = self._start_host(domain)
        except Exception as exc:  # whatever it was, a process holding the lease without a host serves no one
            return await self._not_started(exc)
        try:
            try:
                if self._on_started is not None:
                    await self._on_started(host)
            except Exception as exc:
                wait = await self._not_started(exc)  # given back under this term's name: the next one owns nothing
                await self._let_go(host)  # never this process's: until it ended, order entry and the stream stand by
                return wait
        except asyncio.CancelledError:  # the process stops: `stop` stops this host too
            self.host = host
            raise
        self.host = host
        return self.lease.renew_every_s

    async def _not_started(self, error: Exception) -> float:
        """Give the lease just taken back after a host did not start; the wait before the next lease round."""
        wait = self._wait_after(error)
        log.error("engine host did not start: lease released, standing by",
                  extra={"error": repr(error), "retry_in_s": wait})  # fmt: skip
        with contextlib.suppress(SQLAlchemyError):
            await asyncio.to_thread(self.lease.release)
        return wait

    async def _give_up(self, fault: BaseException, retry_in_s: float) -> None:
        """The host stopped order entry after a storage fault: it holds nothing more it could store, so the lease
        goes to a standing-by process (which restores the book from the database) instead of being renewed."""
        if isinstance(fault, LeaseLost):  # already another's
            return
        log.error("engine host stopped after a storage fault: engine lease released; standing by",
                  extra={"error": str(fault), "retry_in_s": retry_in_s})  # fmt: skip
        await asyncio.to_thread(self.lease.release)

    def _lost(self, error: LeaseLost) -> None:
        """Another process took the lease over: stop order entry here at once (it runs there now)."""
        if self.host is not None and self.host.broken is None:
            log.error("engine lease lost: order entry stopped in this process; standing by",
                      extra={"error": str(error)})  # fmt: skip
            self.host.handle(StopOrderEntry(error))

    async def _let_go(self, host: EngineHost | None) -> None:
        """Drop the stopped `host` (the process's, or one that did not start): its tasks, writer and journal end,
        and the process stands by (the next round starts a new host once the lease is free). Nothing of it is
        stored: its batches were refused."""
        await self._end_tasks([task for task in (self._task, self._price_task) if task is not None])
        self._task = self._price_task = None
        if host is not None and self._writer is not None:  # the process's kept until it ended: a stop ends it then
            ENGINE_HOST_STOPS.labels("lease_lost" if isinstance(host.broken, LeaseLost) else "storage").inc()
            await self._stop_host(host, self._writer)
        self.host, self._writer, self._journal = None, None, None
        self.lease.new_term()  # what this host began and has not fenced yet stays refused (`term_fence`)
        if self._on_stopped is not None:
            self._on_stopped()

    @property
    def standing_by(self) -> bool:
        """An Exchange is recorded and the database answered, but this process's host does not run: another
        engine process holds the engine lease (or the host could not start yet: the next round tries again)."""
        return self.host is None and self.domain is not None

    async def stop(self) -> None:
        """Finish pending writes, snapshot, close the journal, give the engine lease up."""
        await self._end_tasks([task for task in (self._task, self._price_task, self._lease_task) if task is not None])
        host = self.host
        if host is not None and self._writer is not None:
            await self._stop_host(host, self._writer)
        with contextlib.suppress(SQLAlchemyError):  # else a standing-by process waits for it to run out
            await asyncio.to_thread(self.lease.release)

    @staticmethod
    async def _end_tasks(tasks: list[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        for task, ended in zip(tasks, await asyncio.gather(*tasks, return_exceptions=True), strict=True):
            if isinstance(ended, Exception):  # logged, and the stop goes on: the batch still drains, the lease goes
                log.error("engine task had failed", extra={"task": task.get_name(), "error": repr(ended)})

    async def _stop_host(self, host: EngineHost, writer: BatchWriter) -> None:
        host.stop_cancel_after()
        if host.broken is None:
            await host.drain()
        await asyncio.to_thread(writer.stop)  # a write may still be on its way: the loop serves on meanwhile
        if host.broken is None:
            if await self._still_holding():
                self._rotate()
            log.info("engine host stopped cleanly", extra={"engine_seq": host.engine.command_seq})
        if self._journal is not None:
            self._journal.close()

    async def follow_market(self, name: str) -> None:
        """Apply market `name`'s stored state and risk settings to this process's host now (after a staff change;
        other processes follow at their next sync)."""
        host = self.host
        if host is None:
            return
        market, risk = await asyncio.to_thread(self._read_market, name)
        if market is not None:
            host.handle(SetMarket(market, now_ms(), risk))

    def _read_market(self, name: str) -> tuple[Market | None, dict[str, Any] | None]:
        with self.container.session_factory() as session:
            market = next((m for m in load_markets(session) if m.name == name), None)
            return market, load_market_risk(session).get(name)

    async def sync_once(self) -> None:
        """One round of following the database (the loop calls this every interval; tests too)."""
        host = self.host
        if host is None:
            return
        # First: below, the clock tick keeps the host busy until the database holds its engine_seq,
        # and a snapshot must never be ahead of the database.
        if host.idle and host.engine.command_seq - self._snapshot_seq >= self.container.settings.engine_snapshot_every:
            if not await self._still_holding():
                return
            if host.idle:  # still, after the renewal's round trip
                self._rotate()
        stamp = host.handle(BeginBalanceRead())
        wallets = list(host.accounts.balances)
        markets = dict(host.markets)
        claims: list[int] = []
        try:
            read = await asyncio.to_thread(self._read, wallets, markets, self.fence, claims)
        except LeaseLost as exc:
            self._lost(exc)
            return
        except BaseException:
            self._unsure_claims.update(claims)  # the next read gives back the holds of those whose commit landed
            raise
        self._unsure_claims.clear()
        cursor = read.events[-1][0] if read.events else self._event_cursor
        host.handle(ApplySync(stamp, read, cursor))
        self._event_cursor, self._fill_cursor = cursor, read.fill_cursor
        host.handle(Tick(now_ms()))
        ENGINE_SYNC_LAST_SUCCESS.set_to_current_time()

    async def _follow(self) -> None:
        """Sync every interval. A round that fails is retried, also after an exception no one expected: a sync that
        stopped would leave the host stale without a word (deposits never credited, holds never given back, frozen
        wallets trading on). Failures in a row wait twice as long each, up to SYNC_MAX_BACKOFF_S; the log says each,
        and `hdex_engine_sync_last_success_timestamp_seconds` stops moving (HdexEngineSyncStalled)."""
        interval = self.container.settings.trading_sync_interval
        wait = interval
        while True:
            await asyncio.sleep(wait)
            failed_wait = min(wait * 2, max(interval, SYNC_MAX_BACKOFF_S))
            try:
                await self.sync_once()
                wait = interval
            except SQLAlchemyError as exc:
                ENGINE_SYNC_FAILURES.labels("database").inc()
                log.warning("trading sync failed; retrying", extra={"error": str(exc), "retry_in_s": failed_wait})
                wait = failed_wait
            except Exception:
                ENGINE_SYNC_FAILURES.labels("unexpected").inc()
                log.exception("trading sync failed unexpectedly; retrying", extra={"retry_in_s": failed_wait})
                wait = failed_wait

    async def halt_market(
        self,
        market: str,
        kind: str,
        reason: str,
        until_ms: int,
        reference: int | None = None,
        price: int | None = None,
        alert: PendingAlert | None = None,
    ) -> None:
        """Halt `market` (cancels only) until `until_ms` (epoch ms) for `reason`; kind: breaker, feed or staff
        (the feed monitor's door; the host trips its own breaker). A longer halt in force is kept. `alert` is
        stored in the same transaction as the halt. Returns once both are stored. UNKNOWN_MARKET, INVALID_FIELD
        (kind, reason, an end not after now), NOT_DEPLOYED."""
        host = self.running_host()
        now = host.clock()
        if until_ms <= now:
            raise HdexError(ErrorCode.INVALID_FIELD, "a halt must end after now (until_ms, epoch ms)", "until")
        if not reason.strip():
            raise HdexError(ErrorCode.INVALID_FIELD, "a halt needs a reason", "reason")
        halt = Halt(market, kind, reason.strip()[:500], reference, price, now, until_ms)
        host.handle(HaltMarket(halt, alert))
        await host.durable()

    async def clear_halt(self, market: str, actor: str, ip: str | None = None) -> bool:
        """End `market`'s risk halt now (audit-logged "market.halt.clear" as `actor` from `ip`); returns whether it
        was halted. A market staff halted through its state (`hdex market halt`) stays as staff set it."""
        host = self.running_host()
        if market not in host.markets:
            raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {market}", "market")
        cleared = host.handle(ClearHalt(market, actor, ip))
        await host.durable()
        return cleared

    def running_host(self) -> EngineHost:
        """The engine host; UNAVAILABLE (with Retry-After) while this process stands by for the engine lease,
        NOT_DEPLOYED while no Exchange is recorded for the chain."""
        if self.standing_by:
            raise HdexError(
                ErrorCode.UNAVAILABLE, "this process stands by: another engine process runs the book; retry", None,
                {"Retry-After": str(max(1, round(self.lease.ttl_s)))},
            )  # fmt: skip
        if self.host is None:
            raise HdexError(ErrorCode.NOT_DEPLOYED, "no Exchange contract is deployed on this chain yet")
        return self.host

    async def refresh_price_sources(self) -> None:
        """Read every market's price source from the Exchange and hand them to the host (the loop calls this
        every `PRICE_SOURCE_REFRESH_S`; tests too). A market whose read fails keeps its last known source."""
        host, exchange = self.host, self._exchange
        if host is None or exchange is None:
            return
        markets = list(host.markets.values())
        sources = await asyncio.to_thread(self._read_price_sources, exchange, markets)
        host.handle(SetPriceSources(sources))

    async def refresh_reference_prices(self) -> None:
        """Read the reference price of every market with a price source from the Exchange and hand them to the
        host, which fires the stop orders waiting for them; when it took a reading in, wait until what that fired
        is stored (the loop calls this every `HDEX_STOP_REFERENCE_POLL_S`; tests too; one reading at a time). A
        market whose feed is stale (or would be within `HDEX_SETTLEMENT_MARGIN_S`) or failing is read as unknown;
        one the node could not be asked about is left out."""
        async with self._reading:
            await self._refresh_reference_prices()

    async def _refresh_reference_prices(self) -> None:
        host, exchange = self.host, self._exchange
        if host is None or exchange is None:
            return
        sources = host.price_sources
        markets = [market for market in host.markets.values() if sources.get(market.name) is not None]
        prices = await asyncio.to_thread(self._read_reference_prices, exchange, markets) if markets else {}
        # a market whose source the admin removed has no price any more (its stops can never settle)
        prices.update({name: None for name, source in sources.items() if source is None})
        if host.handle(SetReferencePrices(prices)):
            # the trades it fired are stored before it returns; a storage fault stops the host (it logs why), and
            # the next host fires those stops again from its restored book
            with contextlib.suppress(HdexError):
                await host.durable()

    async def _follow_price_sources(self) -> None:
        poll_s = self.container.settings.stop_reference_poll_s
        sources_every = max(1, round(PRICE_SOURCE_REFRESH_S / poll_s))
        for round_no in itertools.count():
            try:
                if round_no % sources_every == 0:
                    await self.refresh_price_sources()
                await self.refresh_reference_prices()
            except Exception:  # a round that fails must not end the loop: no stop would fire after it
                log.exception("price source round failed; retrying")
            await asyncio.sleep(poll_s)

    def _read_price_sources(self, exchange: str, markets: list[Market]) -> dict[str, PriceSource | None]:
        call = self._price_source_call()
        sources: dict[str, PriceSource | None] = {}
        for market in markets:
            try:
                feed = read_price_feed(call, exchange, market.base_token, market.quote_token)
            except RpcError as exc:
                log.warning("price source not read", extra={"market": market.name, "error": exc.message})
                continue
            sources[market.name] = None if feed is None else PriceSource(*feed)
        return sources

    def _read_reference_prices(self, exchange: str, markets: list[Market]) -> dict[str, tuple[int, int] | None]:
        call = self._price_source_call()
        # a fill the price fires settles a little later: an answer must stay fresh for as long as an order's expiry
        margin_s = self.container.settings.settlement_margin_s
        prices: dict[str, tuple[int, int] | None] = {}
        try:
            block, block_s = latest_block(call)
        except RpcError as exc:
            log.warning("reference prices not read", extra={"error": exc.message})
            return prices
        # the latest block may be a block time old, and the fill is checked against the block that mines it
        now_s = max(block_s, int(time.time()))
        for market in markets:
            base, quote = market.base_token, market.quote_token
            try:
                prices[market.name] = read_reference_price(call, exchange, base, quote, block, now_s, margin_s)
            except RpcError as exc:
                log.warning("reference price not read", extra={"market": market.name, "error": exc.message})
        return prices

    def _price_source_call(self) -> Callable[[str, list[object]], object]:
        url = self.container.settings.effective_rpc_url

        def call(method: str, params: list[object]) -> object:
            return rpc_call(url, method, params, timeout=PRICE_SOURCE_RPC_TIMEOUT_S)

        return call

    def _read(self, wallets: list[str], markets: dict[str, Market], fence: Fence, claims: list[int]) -> SyncRead:
        with self.container.session_factory() as session:
            chain_id, after_event, after_fill = self.container.settings.chain_id, self._event_cursor, self._fill_cursor
            unsure = frozenset(self._unsure_claims)
            assert self._exchange is not None  # a host runs: an Exchange is recorded
            return read_sync(
                session, chain_id, self._exchange, after_event, wallets, markets, fence, after_fill, unsure, claims
            )

    def _load_wallet(self, wallet: str) -> dict[str, int]:
        with self.container.session_factory() as session:
            return wallet_balances(session, [wallet])[wallet]

    def _load_client_order_ids(self, wallet: str) -> dict[str, str]:
        with self.container.session_factory() as session:
            return queries.client_order_ids(session, wallet)

    def _load_nonces(self, wallet: str) -> list[int]:
        assert self._exchange is not None  # a host runs: an Exchange is recorded
        with self.container.session_factory() as session:
            return queries.order_nonces(session, self.container.settings.chain_id, self._exchange, wallet)

    def _flush_journal(self) -> None:
        if self._journal is not None:
            self._journal.flush()

    async def _still_holding(self) -> bool:
        """Renew the lease before the journal is rotated: a process deposed without noticing yet (paused longer than
        a term) shares the data directory with the new holder on this machine, and its rotation would write its stale
        snapshot over the holder's and unlink the holder's live segment. After a renewal no one can take the lease
        for a term. False if it was taken over (order entry stopped here) or the database did not answer (no
        rotation now: the journal as it is restores the same book)."""
        try:
            await asyncio.to_thread(self.lease.renew)
        except LeaseLost as exc:
            self._lost(exc)
            return False
        except SQLAlchemyError as exc:
            log.warning("engine lease not renewed before a journal rotation; not rotated", extra={"error": str(exc)})
            return False
        return True

    def _rotate(self) -> None:
        host, store = self.host, self._store
        assert host is not None and store is not None
        if self._journal is not None:
            self._journal.close()
        self._journal = store.rotate(host.engine.snapshot())
        host.engine.attach_journal(self._journal)
        self._snapshot_seq = host.engine.command_seq


def _engine_dir(container: Container) -> Path:
    """Where this process keeps the engine's journal."""
    return container.settings.data_dir / "engine" / str(container.settings.chain_id)
