"""Running the monitors: `Monitor.run_once` is one pass (the price feeds, then the operator checks, each in its
own unit of work); `hdex up` runs each part in a thread every `monitor_interval_s`, `hdex worker` the operator
part as Celery beat tasks, `hdex monitor run-once` both once.

Where each part runs: the feed pass where an engine host runs (`hdex up`: only its owner can halt a market);
the operator pass where the background loops run (`hdex up` with `HDEX_BACKGROUND=threads`, else the worker).
Reconciliation reads every wallet's vault balance, so it runs every `monitor_reconcile_interval_s`, not every pass.

One operator pass runs at a time across processes: its thread, its Celery tasks and `hdex monitor run-once` take
the `monitor` lease (`LeasedLoop`), and a pass commits only while it still holds it (`LeasedLoop.fence`), so two
copies never raise, reconcile or pause twice. The feed pass takes no lease: it halts a market through the engine
host of its own process, and a lease held by a worker, or by another `hdex up`, would stop the one process that
can halt from doing it. Two feed passes at once only count one more occurrence on the same open alert (a unique
index holds one open alert per cause), and a market is halted once per deviating trade (`backend.monitoring.feeds`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property

from eth_account import Account
from sqlalchemy.orm import Session

from backend.alerts import PendingAlert
from backend.bootstrap import Container
from backend.chain.deployments import ExchangeDeployment, NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient
from backend.chain.treasury import GovernanceWatch
from backend.db.leased_loop import LeaseTakenOver
from backend.metrics import MONITOR_LAST_PASS
from backend.monitoring.custody import check_custody
from backend.monitoring.feeds import HaltUnavailable, MarketHalts, check_feeds
from backend.monitoring.leased_pass import monitoring_loop
from backend.monitoring.operator import ChainContext, OperatorLimits, check_operator, forget_readings
from backend.monitoring.report import PassReport
from backend.paths import ARTIFACTS_DIR
from custody.calls import KnownAbis

log = logging.getLogger(__name__)

LEASE = "monitor"  # the operator pass's (see the module docs)


class Monitor:
    """The monitoring passes of one process (see the module docs)."""

    def __init__(
        self,
        container: Container,
        *,
        operator: bool = True,
        feeds: bool = True,
        halts: MarketHalts | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.container = container
        self.operator = operator
        self.feeds = feeds
        self.halts = halts
        self._clock = clock
        url = container.settings.effective_rpc_url
        # One keep-alive client per part: in `hdex up` each part has a thread of its own.
        self._feed_rpc = JsonRpcClient(url, timeout=10.0)
        self._operator_rpc = JsonRpcClient(url, timeout=10.0)
        self._last_reconcile_ms: int | None = None
        self._governance: GovernanceWatch | None = None  # the Exchange's admin and its calls, followed pass by pass
        interval = container.settings.monitor_interval_s
        self.leased = monitoring_loop(
            "monitor", LEASE, container.session_factory, self._leased_pass, interval, container.settings.data_dir,
            on_standby=forget_readings,
        )  # fmt: skip

    @cached_property
    def operator_address(self) -> str:
        # Derived once: a keystore takes a deliberate second to decrypt.
        return str(Account.from_key(self.container.settings.operator_private_key()).address)

    def run_once(self, now_ms: int | None = None, *, reconcile: bool | None = None) -> PassReport:
        """One pass, for a command run by hand (`hdex monitor run-once`; never on a monitor whose thread runs): the
        feeds, then the operator checks under the `monitor` lease, taken for them and given up after (a failure
        "operator" while another process holds it: its own pass runs them); `reconcile` None: when
        `monitor_reconcile_interval_s` has passed since the last one."""
        now = self._now() if now_ms is None else now_ms
        report = PassReport()
        if self.feeds:
            report.merge(self.feed_pass(now))
        if self.operator and "deployment" not in report.failures:
            try:
                operator = self.tick(reconcile=reconcile, now_ms=now)
            finally:
                self.leased.release()
            if operator is None:
                report.failed("operator", "another process holds the monitor lease and runs the operator checks")
            else:
                report.merge(operator)
        return report

    def feed_pass(self, now_ms: int) -> PassReport:
        """The price feeds, in one unit of work; halts go through `halts` (see the module docs)."""
        report = PassReport()
        exchange = self._exchange(report)
        if exchange is None:
            return report
        with self.container.uow() as uow:
            report.merge(
                check_feeds(uow.session, self._feed_rpc.call, exchange.address, self.container.settings, now_ms,
                            self.halts)
            )  # fmt: skip
            uow.commit()
        return self._done(report, now_ms, "feeds")

    def operator_pass(self, now_ms: int, *, reconcile: bool | None = None) -> PassReport:
        """The operator checks, in one unit of work; only while holding the lease (`tick` and the thread call it
        so): the commit renews it first, and a pass that outlasted it commits nothing (LeaseTakenOver);
        `reconcile` as in `run_once`."""
        settings = self.container.settings
        report = PassReport()
        exchange = self._exchange(report)
        if exchange is None:
            return report
        if reconcile is None:
            due_ms = (self._last_reconcile_ms or 0) + int(settings.monitor_reconcile_interval_s * 1000)
            reconcile = self._last_reconcile_ms is None or now_ms >= due_ms
        chain = ChainContext(settings.chain_id, exchange.address, exchange.start_block, self.operator_address)
        with self.container.uow() as uow:
            report.merge(
                check_operator(
                    uow.session, self._operator_rpc.call, chain, OperatorLimits.from_settings(settings), now_ms,
                    reconcile_ledger=reconcile,
                )
            )  # fmt: skip
            self._check_custody(uow.session, exchange, now_ms, report)
            self.leased.fence(uow.session)
            uow.commit()
        if reconcile and "ledger" not in report.failures:
            self._last_reconcile_ms = now_ms
        return self._done(report, now_ms, "operator")

    def _check_custody(self, session: Session, exchange: ExchangeDeployment, now_ms: int, report: PassReport) -> None:
        """CUSTODY_CALL_SCHEDULED for the Custody that administers the Exchange, ADMIN_NOT_CUSTODY for any other
        admin (`check_custody`)."""
        settings = self.container.settings
        self._governance = GovernanceWatch.following(
            self._governance, settings.effective_rpc_url, exchange.address, self._abis, exchange.start_block
        )
        check_custody(session, settings.chain_id, self._governance.read, self._abis, now_ms, report)

    @cached_property
    def _abis(self) -> KnownAbis:
        return KnownAbis.from_artifacts(ARTIFACTS_DIR)

    def tick(self, *, reconcile: bool | None = None, now_ms: int | None = None) -> PassReport | None:
        """The operator pass if this process holds (or takes) the `monitor` lease, which it keeps for the next
        tick to renew; None when another process monitors (the Celery tasks), also when it took the lease during
        the pass."""
        try:
            return self.leased.tick(
                lambda: self.operator_pass(self._now() if now_ms is None else now_ms, reconcile=reconcile)
            )
        except LeaseTakenOver:  # logged by the fence; this pass wrote nothing
            return None

    def start_threads(self, stop: threading.Event) -> list[threading.Thread]:
        """The enabled parts on daemon threads until `stop`, each pass every `monitor_interval_s` and the first
        after one interval (the indexer and the relayer start with us): the feed pass on its own, the operator
        pass under the lease (`LeasedLoop`: a failed pass is logged, the next runs on time)."""
        targets = {"monitor-feeds": self._run_feeds} if self.feeds else {}
        if self.operator:
            targets["monitor"] = self._run_operator
        threads = [threading.Thread(target=run, args=(stop,), name=name, daemon=True) for name, run in targets.items()]
        for thread in threads:
            thread.start()
        return threads

    def close(self) -> None:
        self._feed_rpc.close()
        self._operator_rpc.close()

    def _run_feeds(self, stop: threading.Event) -> None:
        interval = self.container.settings.monitor_interval_s
        try:
            while not stop.wait(interval):
                try:
                    self.feed_pass(self._now())
                except Exception:  # as the operator pass: a monitor that dies on one bad pass halts nothing again
                    log.exception("feed pass failed; next one in %s s", interval)
        finally:
            self._feed_rpc.close()

    def _run_operator(self, stop: threading.Event) -> None:
        try:
            if not stop.wait(self.leased.interval_s):
                self.leased.run(stop)
        finally:
            self._operator_rpc.close()

    def _leased_pass(self) -> PassReport:
        return self.operator_pass(self._now())

    def _exchange(self, report: PassReport) -> ExchangeDeployment | None:
        try:
            with self.container.uow() as uow:
                return require_exchange(uow.session, self.container.settings.chain_id)
        except NotDeployed as exc:
            report.failed("deployment", exc.message)
            return None

    def _done(self, report: PassReport, now_ms: int, part: str) -> PassReport:
        MONITOR_LAST_PASS.labels(part).set(now_ms / 1000)
        for raised in report.raised:
            if raised.new:
                log.warning("alert raised", extra={"kind": raised.kind.value, "subject": raised.subject})
        return report

    def _now(self) -> int:
        return int(self._clock() * 1000)


class ServingLoopHalts:
    """`MarketHalts` for a thread of the serving process: the engine host belongs to the event loop that serves
    the API, so each halt runs there (`TradingService.halt_market`, plain or async) and this thread waits for it;
    HaltUnavailable while no engine host runs here (not started, or standing by for another's lease)."""

    def __init__(
        self,
        trading: Callable[[], object | None],
        loop: Callable[[], asyncio.AbstractEventLoop | None],
        timeout_s: float = 10.0,
    ) -> None:
        self._trading = trading
        self._loop = loop
        self._timeout_s = timeout_s

    def halt_market(
        self,
        market: str,
        kind: str,
        reason: str,
        until_ms: int,
        *,
        reference: int | None,
        price: int | None,
        alert: PendingAlert,
    ) -> object:
        trading, loop = self._trading(), self._loop()
        door = getattr(trading, "halt_market", None)
        if door is None or loop is None or not loop.is_running():
            raise HaltUnavailable("the engine host is not running in this process")

        async def halt() -> object:
            if getattr(trading, "standing_by", False):  # read on the loop, where the service changes it
                raise HaltUnavailable("this engine process stands by: another one runs the book")
            result = door(market, kind, reason, until_ms, reference=reference, price=price, alert=alert)
            return await result if inspect.isawaitable(result) else result

        return asyncio.run_coroutine_threadsafe(halt(), loop).result(self._timeout_s)
