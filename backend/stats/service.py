"""The statistics job of a process (the embedded runtime's thread, or the Celery worker's task), behaviour
events from the dApp, and a rebuild from scratch.

A pass runs under the `stats` lease, so several workers never roll up at once; the value locked is read from the
chain in the same pass, and a chain that does not answer only leaves today's reading as it was.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.bootstrap import Container
from backend.chain.deployments import NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient
from backend.db.leases import acquire_lease
from backend.db.models import StatsEvent
from backend.errors import ErrorCode, HdexError
from backend.stats import sources
from backend.stats.chain import exchange_balances
from backend.stats.days import day_bounds, day_of
from backend.stats.rollup import ChainBalances, PassResult, rebuild, run_pass
from backend.trading.rules.accounts import checksum

log = logging.getLogger(__name__)

LEASE = "stats"
MAX_PASSES = 100  # per run: a backlog larger than this many read limits goes on at the next run
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
EVENTS = frozenset({sources.WALLET_CONNECTED})  # what the dApp may report (signed_in comes from the sessions)


def record_event(container: Container, event: str, wallet: str, now_ms: int) -> bool:
    """Keep a behaviour event of `wallet`; one per wallet, kind and UTC day (False: already kept today).
    STATS_EVENT_UNKNOWN for a kind HDEX does not record, INVALID_FIELD for a wallet that is not an address."""
    if event not in EVENTS:
        raise HdexError(ErrorCode.STATS_EVENT_UNKNOWN, f"unknown event {event!r}: one of {sorted(EVENTS)}", "event")
    if not ADDRESS.fullmatch(wallet):
        raise HdexError(ErrorCode.INVALID_FIELD, "wallet must be a 0x-prefixed 20-byte hex address", "wallet")
    address = checksum(wallet)
    start, end = day_bounds(day_of(now_ms))
    with container.uow() as uow:
        seen = uow.session.scalar(
            select(StatsEvent.id).where(
                StatsEvent.wallet == address,
                StatsEvent.event == event,
                StatsEvent.created_at_ms >= start,
                StatsEvent.created_at_ms < end,
            )
        )
        if seen is not None:
            return False
        uow.session.add(StatsEvent(wallet=address, event=event, created_at_ms=now_ms))
        uow.commit()
    return True


class StatsWorker:
    """Runs rollup passes: `run_once` now and then, or `start_thread` for the embedded shape."""

    def __init__(self, container: Container, *, read_chain: bool = True) -> None:
        self.container = container
        self.read_chain = read_chain
        self.owner = f"stats:{socket.gethostname()}:{os.getpid()}"  # one writer per process

    def run_once(self, now_ms: int | None = None) -> list[PassResult]:
        """Passes until caught up (at most MAX_PASSES), each in its own unit of work; [] if another process
        holds the lease."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        with self.container.uow() as uow:
            if not self._lease(uow.session, now):
                return []
        balances = self._chain_balances()
        results = []
        for _ in range(MAX_PASSES):
            with self.container.uow() as uow:
                result = run_pass(uow.session, now, balances)
                uow.commit()
            results.append(result)
            balances = None  # read once per run
            if not result.more:
                break
        return results

    def rebuild(self, now_ms: int | None = None) -> bool:
        """Every rollup recomputed from the raw rows, in one unit of work; False (nothing done) if another
        process holds the lease."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        with self.container.uow() as uow:
            if not self._lease(uow.session, now):
                return False
        with self.container.uow() as uow:
            rebuild(uow.session)
            uow.commit()
        return True

    def _lease(self, session: Session, now_ms: int) -> bool:
        ttl = max(60.0, self.container.settings.stats_interval_s * 3)
        return acquire_lease(session, LEASE, self.owner, ttl_s=ttl, now_ms=now_ms)

    def _chain_balances(self) -> ChainBalances | None:
        if not self.read_chain:
            return None
        settings = self.container.settings
        try:
            with self.container.uow() as uow:
                exchange = require_exchange(uow.session, settings.chain_id).address
        except NotDeployed:
            return None

        def read(tokens: list[str]) -> tuple[int, dict[str, int]]:
            rpc = JsonRpcClient(settings.effective_rpc_url, timeout=10.0)
            try:
                return exchange_balances(rpc, exchange, tokens)
            finally:
                rpc.close()

        def guarded(tokens: list[str]) -> tuple[int, dict[str, int]]:
            try:
                return read(tokens)
            except Exception as exc:  # the rollups go on without today's reading
                log.warning("stats: chain balances unavailable", extra={"error": str(exc)})
                return 0, {}

        return guarded

    def run_periodically(self, stop: threading.Event) -> None:
        """A run every HDEX_STATS_INTERVAL_S until `stop`; a failed run is logged and the next one is on time."""
        interval = self.container.settings.stats_interval_s
        while not stop.wait(interval):
            try:
                self.run_once()
            except Exception:
                log.exception("statistics pass failed; next one in %s s", interval)

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run_periodically, args=(stop,), name="stats", daemon=True)
        thread.start()
        return thread
