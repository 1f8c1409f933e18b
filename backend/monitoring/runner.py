"""Running the monitors: `Monitor.run_once` is one pass (the price feeds, then the operator checks, each in its
own unit of work); `hdex up` runs it in a thread every `monitor_interval_s`, `hdex worker` as Celery beat tasks,
`hdex monitor run-once` once.

Where each part runs: the feed pass where an engine host runs (`hdex up`: only its owner can halt a market);
the operator pass where the background loops run (`hdex up` with `HDEX_BACKGROUND=threads`, else the worker).
Reconciliation reads every wallet's vault balance, so it runs every `monitor_reconcile_interval_s`, not every pass.
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

from backend.bootstrap import Container
from backend.chain.deployments import NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient
from backend.metrics import MONITOR_LAST_PASS
from backend.monitoring.feeds import MarketHalts, check_feeds
from backend.monitoring.operator import ChainContext, OperatorLimits, check_operator
from backend.monitoring.report import PassReport

log = logging.getLogger(__name__)


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
        self._rpc = JsonRpcClient(container.settings.effective_rpc_url, timeout=10.0)
        self._last_reconcile_ms: int | None = None

    @cached_property
    def operator_address(self) -> str:
        # Derived once: a keystore takes a deliberate second to decrypt.
        return str(Account.from_key(self.container.settings.operator_private_key()).address)

    def run_once(self, now_ms: int | None = None, *, reconcile: bool | None = None) -> PassReport:
        """One pass; `reconcile` None: when `monitor_reconcile_interval_s` has passed since the last one."""
        settings = self.container.settings
        now = int(self._clock() * 1000) if now_ms is None else now_ms
        report = PassReport()
        try:
            with self.container.uow() as uow:
                exchange = require_exchange(uow.session, settings.chain_id)
        except NotDeployed as exc:
            report.failed("deployment", exc.message)
            return report
        if self.feeds:
            with self.container.uow() as uow:
                report.merge(check_feeds(uow.session, self._rpc.call, exchange.address, settings, now, self.halts))
                uow.commit()
        if self.operator:
            if reconcile is None:
                due_ms = (self._last_reconcile_ms or 0) + int(settings.monitor_reconcile_interval_s * 1000)
                reconcile = self._last_reconcile_ms is None or now >= due_ms
            chain = ChainContext(settings.chain_id, exchange.address, exchange.start_block, self.operator_address)
            with self.container.uow() as uow:
                report.merge(
                    check_operator(
                        uow.session, self._rpc.call, chain, OperatorLimits.from_settings(settings), now,
                        reconcile_ledger=reconcile,
                    )
                )  # fmt: skip
                uow.commit()
            if reconcile and "ledger" not in report.failures:
                self._last_reconcile_ms = now
        MONITOR_LAST_PASS.set(now / 1000)
        for raised in report.raised:
            if raised.new:
                log.warning("alert raised", extra={"kind": raised.kind.value, "subject": raised.subject})
        return report

    def run(self, stop: threading.Event) -> None:
        """A pass every `monitor_interval_s` until `stop`, the first after one interval (the indexer and the
        relayer start with us). A failed pass is logged and the next one runs on time."""
        interval = self.container.settings.monitor_interval_s
        while not stop.wait(interval):
            try:
                self.run_once()
            except Exception:
                log.exception("monitoring pass failed; next one in %s s", interval)
        self._rpc.close()

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="monitor", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self._rpc.close()


class HaltUnavailable(RuntimeError):
    """No engine host runs in this process (yet): a market cannot be halted from here."""


class ServingLoopHalts:
    """`MarketHalts` for a thread of the serving process: the engine host belongs to the event loop that serves
    the API, so each halt runs there (`TradingService.halt_market`, plain or async) and this thread waits for it."""

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
        self, market: str, kind: str, reason: str, until_ms: int, *, reference: int | None, price: int | None
    ) -> object:
        trading, loop = self._trading(), self._loop()
        door = getattr(trading, "halt_market", None)
        if door is None or loop is None or not loop.is_running():
            raise HaltUnavailable("the engine host is not running in this process")

        async def halt() -> object:
            result = door(market, kind, reason, until_ms, reference=reference, price=price)
            return await result if inspect.isawaitable(result) else result

        return asyncio.run_coroutine_threadsafe(halt(), loop).result(self._timeout_s)
