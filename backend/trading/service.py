"""The trading service of one API process: builds the engine host at start, follows the database
every `trading_sync_interval` seconds, snapshots when idle, and stops cleanly.

Without an Exchange deployment recorded for the configured chain there is nothing to sign orders
for: `host` stays None and the order routes answer NOT_DEPLOYED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.exc import SQLAlchemyError

from backend.api.errors import HdexError
from backend.bootstrap import Container
from backend.chain.deployments import load_deployments
from backend.engine import ExpireOrders, SetMarketState
from backend.engine.adapters.file_journal import FileJournal
from backend.signing import Domain
from backend.trading import queries
from backend.trading.accounts import AccountBook
from backend.trading.chain_sync import SyncRead, read_sync, wallet_balances
from backend.trading.checks import Limits
from backend.trading.host import EngineHost, Publisher, now_ms
from backend.trading.journal import JournalStore
from backend.trading.markets import Market
from backend.trading.persistence import CHAIN_EVENT_ID, BatchWriter
from backend.trading.restore import chain_cursor, recover_engine, restore_host

log = logging.getLogger(__name__)

NO_EXPIRY = 2**64 - 1


class TradingService:
    """Owns the engine host of this process (see the module docs)."""

    def __init__(self, container: Container, publish: Publisher) -> None:
        self.container = container
        self.publish = publish
        self.host: EngineHost | None = None
        self.domain: Domain | None = None
        self._journal: FileJournal | None = None
        self._store: JournalStore | None = None
        self._writer: BatchWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._event_cursor = 0
        self._snapshot_seq = 0

    def start(self) -> None:
        """Recover and reconcile the engine (call with the event loop running)."""
        settings = self.container.settings
        try:
            with self.container.uow() as uow:
                exchange = load_deployments(uow.session, settings.chain_id).get("Exchange")
                committed_seq, self._event_cursor = chain_cursor(uow.session)
        except SQLAlchemyError as exc:  # unreachable or not migrated: /health says so; no order entry
            log.warning("database not usable: order entry disabled", extra={"error": str(exc)})
            return
        if exchange is None:
            log.info("no Exchange deployment recorded: order entry disabled")
            return
        self.domain = Domain(settings.chain_id, exchange)
        store = self._store = JournalStore(settings.data_dir / "engine" / str(settings.chain_id), settings.engine_fsync)
        engine = recover_engine(store, committed_seq)
        self._writer = BatchWriter(self.container.session_factory, self._flush_journal)
        host = EngineHost(
            engine,
            self.domain,
            AccountBook(),
            self._writer,
            Limits(settings.max_open_orders, settings.price_band_bps),
            self._load_wallet,
            self.publish,
            self._load_client_order_ids,
        )
        self._writer.start()
        with self.container.session_factory() as session:
            self._journal = restore_host(host, session, store, settings.chain_id)
        self._snapshot_seq = engine.command_seq
        host.mark_cursor(CHAIN_EVENT_ID, self._event_cursor)  # persists the rebuilt reservations too
        self.host = host
        host.run_cancel_after()  # fires the deadlines that passed while the process was down, arms the rest
        self._task = asyncio.get_running_loop().create_task(self._follow())
        log.info("engine host started", extra={"markets": len(host.markets), "open_orders": len(host.orders)})

    async def stop(self) -> None:
        """Finish pending writes, snapshot, close the journal."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        host = self.host
        if host is None or self._writer is None:
            return
        host.stop_cancel_after()
        if host.broken is None:
            await host.drain()
        self._writer.stop()
        if host.broken is None:
            self._rotate()
            log.info("engine host stopped cleanly", extra={"engine_seq": host.engine.command_seq})
        if self._journal is not None:
            self._journal.close()

    async def sync_once(self) -> None:
        """One round of following the database (the loop calls this every interval; tests too)."""
        host = self.host
        if host is None:
            return
        # First: below, the clock tick keeps the host busy until the database holds its engine_seq,
        # and a snapshot must never be ahead of the database.
        if host.idle and host.engine.command_seq - self._snapshot_seq >= self.container.settings.engine_snapshot_every:
            self._rotate()
        wallets = list(host.accounts.balances)
        markets = dict(host.markets)
        read = await asyncio.to_thread(self._read, wallets, markets)
        self._apply(read)
        host.run_cancel_after()  # a market may have reopened: deadlines waiting on it fire before anything matches
        host.apply(ExpireOrders(now_ms()))
        now_s = int(time.time())
        for order_hash in [h for h, expiry in host.known_hashes.items() if expiry < now_s - 1]:
            del host.known_hashes[order_hash]

    async def _follow(self) -> None:
        interval = self.container.settings.trading_sync_interval
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync_once()
            except SQLAlchemyError as exc:
                log.warning("trading sync failed; retrying", extra={"error": str(exc)})

    def _read(self, wallets: list[str], markets: dict[str, Market]) -> SyncRead:
        with self.container.session_factory() as session:
            return read_sync(session, self.container.settings.chain_id, self._event_cursor, wallets, markets)

    def _apply(self, read: SyncRead) -> None:
        host = self.host
        assert host is not None
        for event_id, name, args in read.events:
            if name == "NonceFloorRaised":
                wallet, floor = str(args["wallet"]), int(args["nonceFloor"])
                host.accounts.nonce_floors[wallet] = max(host.accounts.nonce_floor(wallet), floor)
                doomed = [t for t in host.orders.values() if t.maker == wallet and t.order.nonce < floor]
            else:
                order_hash = str(args["orderHash"]).lower()
                host.known_hashes[order_hash] = NO_EXPIRY
                doomed = [host.orders[order_hash]] if order_hash in host.orders else []
            for tracked in doomed:
                try:
                    host.cancel(tracked, "nonce_floor" if name == "NonceFloorRaised" else "cancelled_on_chain")
                except HdexError as exc:  # a halted market refuses cancels; the contract will skip the order
                    log.warning("on-chain cancel not applied", extra={"order": tracked.hash, "error": exc.message})
            self._event_cursor = event_id
        if read.events:
            host.mark_cursor(CHAIN_EVENT_ID, self._event_cursor)
        for wallet, balances in read.balances.items():
            host.accounts.set_wallet_balances(wallet, balances)
        if read.released_holds:
            host.release_holds(read.released_holds)
        ts = now_ms()
        for market in read.markets:
            known = market.name in host.markets
            host.set_market(market)
            if not known:
                host.apply(market.engine_command(ts))
            if host.engine.market_state(market.name) is not market.state:
                host.apply(SetMarketState(market.name, market.state, ts))

    def _load_wallet(self, wallet: str) -> dict[str, int]:
        with self.container.session_factory() as session:
            return wallet_balances(session, [wallet])[wallet]

    def _load_client_order_ids(self, wallet: str) -> dict[str, str]:
        with self.container.session_factory() as session:
            return queries.client_order_ids(session, wallet)

    def _flush_journal(self) -> None:
        if self._journal is not None:
            self._journal.flush()

    def _rotate(self) -> None:
        host, store = self.host, self._store
        assert host is not None and store is not None
        if self._journal is not None:
            self._journal.close()
        self._journal = store.rotate(host.engine.snapshot())
        host.engine.attach_journal(self._journal)
        self._snapshot_seq = host.engine.command_seq
