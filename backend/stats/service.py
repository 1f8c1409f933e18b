"""The statistics job of a process (the embedded runtime's thread, or the Celery worker's task), behaviour
events from the dApp, and a rebuild from scratch.

A run takes or renews the `stats` lease (`LeasedLoop`), so several workers never roll up at once; the value
locked is read from the chain in the same run, and a chain that does not answer only leaves today's reading as
it was.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.bootstrap import Container
from backend.chain.deployments import NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient
from backend.db.leased_loop import LeasedLoop
from backend.db.models import AccountProfile, StatsEvent, WalletSession
from backend.errors import ErrorCode, HdexError
from backend.stats import sources
from backend.stats.chain import exchange_balances
from backend.stats.days import day_bounds, day_of
from backend.stats.rollup import ChainBalances, PassResult, rebuild, run_pass
from backend.trading.rules.accounts import checksum

log = logging.getLogger(__name__)

T = TypeVar("T")

LEASE = "stats"
MAX_PASSES = 100  # per run: a backlog larger than this many read limits goes on at the next run
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
EVENTS = frozenset({sources.WALLET_CONNECTED})  # what the dApp may report (signed_in comes from the sessions)


def record_event(container: Container, event: str, wallet: str, now_ms: int) -> bool:
    """Keep a behaviour event of `wallet`; one per wallet, kind and UTC day (False: already kept today, or not kept
    for a wallet that asked for deletion and has not signed in since: anyone may report a connection, and the
    request deleted its events). STATS_EVENT_UNKNOWN for a kind HDEX does not record, INVALID_FIELD for a wallet
    that is not an address."""
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
        if seen is not None or _erased_and_gone(uow.session, address):
            return False
        uow.session.add(StatsEvent(wallet=address, event=event, created_at_ms=now_ms))
        uow.commit()
    return True


def _erased_and_gone(session: Session, address: str) -> bool:
    """Whether the wallet asked for deletion and has not signed in since (as the sign-ins rollup counts it back)."""
    asked = session.scalar(select(AccountProfile.deletion_requested_at_ms).where(AccountProfile.address == address))
    if asked is None:
        return False
    # A live session made since, or one the rollup copied before it ended (sessions are deleted at sign-out).
    session_since = exists().where(WalletSession.address == address, WalletSession.created_at_ms > asked)
    copied_since = exists().where(
        StatsEvent.wallet == address, StatsEvent.event == sources.SIGNED_IN, StatsEvent.created_at_ms > asked
    )
    return not session.scalar(select(or_(session_since, copied_since)))


class StatsWorker:
    """Rollup passes under the `stats` lease (`LeasedLoop`): `start_thread` in the embedded shape, `tick` from the
    Celery beat task, `run_once` and `rebuild` from the command line."""

    def __init__(self, container: Container, *, read_chain: bool = True) -> None:
        self.container = container
        self.read_chain = read_chain
        self.leased = self._leased("statistics", self.roll_up)

    def _leased(self, job: str, step: Callable[[], T]) -> LeasedLoop[T]:
        interval = self.container.settings.stats_interval_s
        return LeasedLoop(
            job,
            LEASE,
            self.container.session_factory,
            step,
            ttl_s=max(60.0, interval * 3),
            interval_s=interval,
            retry_on=(DBAPIError,),
            data_dir=self.container.settings.data_dir,
        )

    def roll_up(self) -> list[PassResult]:
        """Passes until caught up (at most MAX_PASSES), each in its own unit of work, whoever holds the lease
        (the loop calls it only while holding it)."""
        now = int(time.time() * 1000)
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

    def tick(self) -> list[PassResult] | None:
        """`roll_up` if this process holds (or takes) the lease, which it keeps for the next tick to renew; None
        when another process rolls up."""
        return self.leased.tick()

    def run_once(self) -> list[PassResult]:
        """`roll_up` now, then the lease given back at once; [] if another process holds it."""
        try:
            return self.leased.tick() or []
        finally:
            self.leased.release()

    def rebuild(self) -> bool:
        """Every rollup recomputed from the raw rows, in one unit of work, then the lease given back; False
        (nothing done) if another process holds it."""
        once = self._leased("statistics rebuild", self._rebuild)
        try:
            return once.tick() is not None
        finally:
            once.release()

    def _rebuild(self) -> bool:
        with self.container.uow() as uow:
            rebuild(uow.session)
            uow.commit()
        return True  # a tick's None means "not held"

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

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        """A run every HDEX_STATS_INTERVAL_S on a daemon thread until `stop` is set."""
        return self.leased.start_thread(stop)
