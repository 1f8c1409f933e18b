"""The monitor's operator pass and the AML job under their leases, on SQLite and PostgreSQL: two copies against
one database run one pass at a time (a standby runs nothing while the holder holds the lease, and takes over at
once when the holder stops cleanly), a pass whose lease another copy took before its commit writes nothing, and
a failing pass is logged while the loop goes on.

The loops wait on events the test steps them through (`Steps`, `StopAfter`): which copy runs a pass depends on
the lease alone, never on timing. A pass leaves its mark in the database: the operator pass counts one more
occurrence on the open "no sanctions list" alert, the AML pass moves its fill cursor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Table, select

from backend.alerts import AlertKind
from backend.bootstrap import Container, bootstrap
from backend.chain.deployments import record_deployments
from backend.db.leased_loop import LeasedLoop, LeaseTakenOver
from backend.db.leases import take_lease_from
from backend.db.models import Alert, Lease
from backend.db.models.risk import MonitorCursor, WithdrawalPause
from backend.monitoring import aml, runner
from backend.monitoring.aml import FILLS, AmlMonitor
from backend.monitoring.runner import Monitor
from backend.settings import load_settings

from ..conftest import free_port
from ..db.test_leased_loop import StopAfter
from .conftest import EXCHANGE, add_weth_usdc
from .test_aml_job import ALICE, BOB, add_fill

INTERVAL_S = 30.0
HANDSHAKE_S = 60  # only a hung loop takes this long: a safety net, not a timing the tests rely on


class Steps(threading.Event):
    """A stop event on which a loop's thread waits until the test lets it take its next tick."""

    def __init__(self) -> None:
        super().__init__()
        self._waiting = threading.Semaphore(0)
        self._go = threading.Semaphore(0)

    def wait(self, timeout: float | None = None) -> bool:
        self._waiting.release()
        assert self._go.acquire(timeout=HANDSHAKE_S)
        return self.is_set()

    def reached(self) -> None:
        """Return once the loop waits (its tick before, if any, is done)."""
        assert self._waiting.acquire(timeout=HANDSHAKE_S)

    def tick(self) -> None:
        """Let the waiting loop run one tick, and return once it waits again."""
        self._go.release()
        self.reached()

    def stop(self) -> None:
        self.set()
        self._go.release()


class RepairedAfter(StopAfter):
    """`StopAfter` that runs `repair` on its `after`-th wait: what broke the passes before it is mended after."""

    def __init__(self, waits: int, after: int, repair: Callable[[], None]) -> None:
        super().__init__(waits)
        self._after = after
        self._repair = repair

    def wait(self, timeout: float | None = None) -> bool:
        if len(self.delays) + 1 == self._after:
            self._repair()
        return super().wait(timeout)


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path,
        rpc_url=f"http://127.0.0.1:{free_port()}",  # nobody listens: the chain checks fail, the others run
        monitor_interval_s=INTERVAL_S,
    )
    container = bootstrap(settings)
    with container.uow() as uow:
        record_deployments(uow.session, settings.chain_id, {"Exchange": EXCHANGE}, 1)
        add_weth_usdc(uow.session)
        uow.commit()
    yield container
    container.db_engine.dispose()


def operator_passes(container: Container) -> int:
    """How many operator passes ran: each raises the "no sanctions list" alert once more."""
    with container.uow() as uow:
        alert = uow.session.scalar(select(Alert).where(Alert.kind == AlertKind.SCREENING_LIST_STALE.value))
    return 0 if alert is None else alert.occurrences


def fills_seen(container: Container) -> int:
    """The last fill an AML pass looked at."""
    with container.uow() as uow:
        cursor = uow.session.get(MonitorCursor, FILLS)
    return 0 if cursor is None else cursor.value


def lease(container: Container, name: str) -> Lease:
    with container.uow() as uow:
        row = uow.session.get(Lease, name)
    assert row is not None
    return row


def monitor_thread(monitor: Monitor, stop: threading.Event) -> threading.Thread:
    """The monitor's thread as `hdex up` starts it (the operator pass only: feeds=False)."""
    threads = monitor.start_threads(stop)
    assert [thread.name for thread in threads] == ["monitor"]
    return threads[0]


def aml_thread(job: AmlMonitor, stop: threading.Event) -> threading.Thread:
    return job.start_thread(stop)


def stopped(thread: threading.Thread) -> None:
    thread.join(timeout=HANDSHAKE_S)
    assert not thread.is_alive()


def fill(container: Container) -> int:
    return add_fill(container, ALICE, BOB, 10**18, 1_800_000_000_000)


def broken(container: Container, table: Table) -> Callable[[], None]:
    """Drop `table` (every pass that reads it fails) and return what puts it back."""
    table.drop(container.db_engine)
    return lambda: table.create(container.db_engine)


def test_two_monitors_run_one_operator_pass_at_a_time_and_the_standby_takes_over_a_clean_stop(
    container: Container,
) -> None:
    first, second = Monitor(container, feeds=False), Monitor(container, feeds=False)
    assert first.tick(reconcile=False) is not None  # a Celery task's pass: the lease is kept for the next one
    assert second.tick(reconcile=True) is None
    assert operator_passes(container) == 1

    steps = Steps()
    standby = monitor_thread(second, steps)
    steps.reached()  # the first pass waits one interval
    for _ in range(2):
        steps.tick()
    assert operator_passes(container) == 1  # two ticks of the standby thread, no pass: the first holds the lease
    assert lease(container, runner.LEASE).owner == first.leased.owner

    stopped(monitor_thread(first, StopAfter(waits=2)))  # one pass, then a clean stop gives the lease up
    assert operator_passes(container) == 2
    assert lease(container, runner.LEASE).expires_at_ms == 0

    steps.tick()  # the standby's next tick takes over at once: no TTL to wait out
    assert operator_passes(container) == 3
    assert lease(container, runner.LEASE).owner == second.leased.owner
    assert first.tick(reconcile=False) is None
    steps.stop()
    stopped(standby)
    assert operator_passes(container) == 3


def taken_over_by_another_copy(container: Container, loop: LeasedLoop[Any]) -> None:
    """Another copy takes `loop`'s lease, as once its term ran out in the middle of a long pass."""
    with container.session_factory() as session:
        assert take_lease_from(session, loop.lease, loop.owner, "another-copy", loop.ttl_s)


def test_an_operator_pass_whose_lease_another_copy_took_before_its_commit_writes_nothing(
    container: Container,
) -> None:
    monitor = Monitor(container, feeds=False)

    def pass_that_outlasts_its_lease() -> object:
        taken_over_by_another_copy(container, monitor.leased)
        return monitor.operator_pass(1_700_000_000_000, reconcile=False)

    with pytest.raises(LeaseTakenOver):
        monitor.leased.tick(pass_that_outlasts_its_lease)
    assert operator_passes(container) == 0
    assert lease(container, runner.LEASE).owner == "another-copy"


def test_an_aml_pass_whose_lease_another_copy_took_before_its_commit_writes_nothing(container: Container) -> None:
    job = AmlMonitor(container)
    fill(container)

    def pass_that_outlasts_its_lease() -> object:
        taken_over_by_another_copy(container, job.leased)
        return job.run_once()

    with pytest.raises(LeaseTakenOver):
        job.leased.tick(pass_that_outlasts_its_lease)
    assert fills_seen(container) == 0  # its cursor did not move: the copy holding the lease reads those fills


def test_a_failing_operator_pass_is_logged_and_the_next_runs_on_time(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    repair = broken(container, WithdrawalPause.__table__)  # type: ignore[arg-type]
    stop = RepairedAfter(waits=3, after=2, repair=repair)
    with caplog.at_level(logging.ERROR, logger="backend.monitoring.leased_pass"):
        stopped(monitor_thread(Monitor(container, feeds=False), stop))
    assert [r.getMessage() for r in caplog.records] == ["monitor pass failed"]
    assert caplog.records[0].exc_info is not None  # with its traceback
    assert stop.delays == [INTERVAL_S] * 3  # the first pass after one interval, the one after the failure on time
    assert operator_passes(container) == 1  # the failed pass raised nothing; the next one did
    assert lease(container, runner.LEASE).expires_at_ms == 0  # ended by `stop` alone, lease given up


def test_two_aml_jobs_run_one_pass_at_a_time_and_the_standby_takes_over_a_clean_stop(container: Container) -> None:
    first, second = AmlMonitor(container), AmlMonitor(container)
    seen = fill(container)
    assert first.tick() is not None  # the Celery task's pass: the lease is kept for the next one
    assert second.tick() is None
    assert fills_seen(container) == seen

    steps = Steps()
    standby = aml_thread(second, steps)
    steps.reached()
    fill(container)
    for _ in range(2):
        steps.tick()
    assert fills_seen(container) == seen  # the standby thread read nothing while the first holds the lease
    assert lease(container, aml.LEASE).owner == first.leased.owner

    seen = fill(container)
    stopped(aml_thread(first, StopAfter(waits=2)))  # one pass, then a clean stop gives the lease up
    assert fills_seen(container) == seen
    assert lease(container, aml.LEASE).expires_at_ms == 0

    seen = fill(container)
    steps.tick()  # the standby takes over at once
    assert fills_seen(container) == seen
    assert lease(container, aml.LEASE).owner == second.leased.owner
    assert first.tick() is None
    steps.stop()
    stopped(standby)


def test_a_failing_aml_pass_is_logged_and_retried_at_the_next_interval(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    job = AmlMonitor(container)
    seen = fill(container)
    stop = RepairedAfter(waits=3, after=2, repair=broken(container, MonitorCursor.__table__))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="backend.monitoring.leased_pass"):
        stopped(aml_thread(job, stop))
    assert [r.getMessage() for r in caplog.records] == ["AML pass failed"]
    assert stop.delays == [job.rules.interval_s] * 3
    assert fills_seen(container) == seen  # the retry read what the failed pass could not
    assert lease(container, aml.LEASE).expires_at_ms == 0


def last_pass(part: str) -> float | None:
    return REGISTRY.get_sample_value("hdex_monitor_last_pass_timestamp_seconds", {"part": part})


def test_each_job_stamps_its_own_last_pass_so_a_running_feed_pass_hides_no_stopped_operator_pass(
    container: Container,
) -> None:
    """`hdex up` runs the feed pass while `hdex worker` runs the operator checks and the AML job: the feed pass
    going on must not say the operator checks do (HdexMonitorNotRunning is per part)."""
    monitor, job = Monitor(container), AmlMonitor(container)
    before = {part: last_pass(part) for part in ("operator", "aml")}
    monitor.feed_pass(1_700_000_001_000)
    assert last_pass("feeds") == 1_700_000_001
    assert {part: last_pass(part) for part in ("operator", "aml")} == before

    assert monitor.tick(reconcile=False, now_ms=1_700_000_002_000) is not None
    job.leased.tick(lambda: job.run_once(1_700_000_003_000))
    assert (last_pass("feeds"), last_pass("operator"), last_pass("aml")) == (
        1_700_000_001,
        1_700_000_002,
        1_700_000_003,
    )
    monitor.leased.release()
    job.leased.release()


def test_a_monitor_that_lost_its_lease_shows_no_reading_of_its_own_any_more(container: Container) -> None:
    """The rules take the largest reading over processes: one kept by a process that lost the monitor's lease (a
    pause withdrawals are under, as it last saw it) kept paging after the holder found it ended."""
    monitor = Monitor(container, feeds=False)
    with container.uow() as uow:
        uow.session.add(WithdrawalPause(reason="test", details={}, raised_at_ms=1))
        uow.commit()
    assert monitor.tick(reconcile=False) is not None
    assert REGISTRY.get_sample_value("hdex_withdrawals_paused") == 1
    assert REGISTRY.get_sample_value("hdex_settlement_oldest_unsettled_age_seconds") is not None

    taken_over_by_another_copy(container, monitor.leased)
    assert monitor.tick(reconcile=False) is None

    for name in ("hdex_withdrawals_paused", "hdex_settlement_oldest_unsettled_age_seconds", "hdex_ledger_differences"):
        value = REGISTRY.get_sample_value(name)
        assert value is not None and value != value, (name, value)  # NaN: no reading, which no rule compares true
    assert REGISTRY.get_sample_value("hdex_settlement_max_delay_seconds") == 300  # a threshold is no reading
