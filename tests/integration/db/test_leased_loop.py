"""The leased background loop: one writer per lease, takeover after a crash, backoff on faults, clean stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.db.leased_loop import LeasedLoop, LeaseTakenOver, LeaseTooShort
from backend.db.leases import acquire_lease
from backend.db.models import Lease
from backend.db.session import make_engine
from tests.processes import lease_holder

LEASE = "job:31337"
TTL_S = 30.0


class Fault(OperationalError):
    """A database fault as the job would see it (the loop retries these)."""

    def __init__(self) -> None:
        super().__init__("SELECT 1", None, Exception("database is locked"))


class StopAfter(threading.Event):
    """A stop event that records each delay the loop waits, returns at once, and is set after `waits` waits."""

    def __init__(self, waits: int) -> None:
        super().__init__()
        self.delays: list[float] = []
        self._waits = waits

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.delays.append(timeout)
        if len(self.delays) >= self._waits:
            self.set()
        return self.is_set()


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def leased(session_factory: sessionmaker[Session], step: Callable[[], str], **options: object) -> LeasedLoop[str]:
    settings: dict[str, object] = {"ttl_s": TTL_S, "interval_s": 0.5, "retry_on": (OperationalError,), **options}
    return LeasedLoop("job", LEASE, session_factory, step, **settings)  # type: ignore[arg-type]


def take(session_factory: sessionmaker[Session], owner: str, now_ms: int) -> bool:
    with session_factory() as session:
        return acquire_lease(session, LEASE, owner, ttl_s=TTL_S, now_ms=now_ms)


def lease_row(session_factory: sessionmaker[Session]) -> Lease:
    with session_factory() as session:
        row = session.get(Lease, LEASE)
    assert row is not None
    return row


def test_the_step_runs_only_while_no_other_owner_holds_the_lease(session_factory: sessionmaker[Session]) -> None:
    steps: list[str] = []

    def step() -> str:
        steps.append("ran")
        return "ran"

    loop = leased(session_factory, step)
    assert take(session_factory, "another process", int(time.time() * 1000))
    assert loop.tick() is None
    assert steps == []


def test_the_lease_is_taken_for_the_ttl_and_renewed_on_every_tick(session_factory: sessionmaker[Session]) -> None:
    loop = leased(session_factory, lambda: "ran")
    for _ in range(2):
        before = int(time.time() * 1000)
        assert loop.tick() == "ran"
        after = int(time.time() * 1000)
        row = lease_row(session_factory)
        assert row.owner == loop.owner
        assert before + TTL_S * 1000 <= row.expires_at_ms <= after + TTL_S * 1000


def test_a_lease_whose_holder_died_is_taken_over_once_its_ttl_has_run_out(
    session_factory: sessionmaker[Session],
) -> None:
    loop = leased(session_factory, lambda: "ran")
    assert take(session_factory, "a crashed process", int(time.time() * 1000) - int(TTL_S * 1000) - 1)
    assert loop.tick() == "ran"
    assert lease_row(session_factory).owner == loop.owner


def test_a_loop_that_lost_its_lease_stops_writing_and_says_so(
    session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    loop = leased(session_factory, lambda: "ran")
    assert loop.tick() == "ran"
    # Our lease as another process sees it once our TTL has run out (a long pause, a partition).
    assert take(session_factory, "another process", int(time.time() * 1000) + int(TTL_S * 1000) + 1_000)
    caplog.clear()  # only what this tick says ("lease taken" above is logged when the level lets it through)
    with caplog.at_level(logging.INFO, logger="backend.db.leased_loop"):
        assert loop.tick() is None
    assert [record.getMessage() for record in caplog.records] == ["job lease lost"]


def test_faults_back_off_exponentially_up_to_the_cap_and_a_success_resets_the_delay(
    session_factory: sessionmaker[Session],
) -> None:
    failures = iter(range(4))
    faults: list[Exception] = []

    def step() -> str:
        if next(failures, None) is not None:
            raise Fault()
        return "ran"

    loop = leased(session_factory, step, interval_s=0.5, max_backoff_s=3.0, on_fault=faults.append)
    stop = StopAfter(waits=6)
    loop.run(stop)
    assert stop.delays == [1.0, 2.0, 3.0, 3.0, 0.5, 0.5]
    assert len(faults) == 4


def test_an_unexpected_error_ends_the_loop_and_gives_the_lease_up(session_factory: sessionmaker[Session]) -> None:
    stopped: list[bool] = []

    def step() -> str:
        raise KeyError("a bug, not a fault")

    loop = leased(session_factory, step, on_stop=lambda: stopped.append(True))
    with pytest.raises(KeyError):
        loop.run(StopAfter(waits=100))
    assert lease_row(session_factory).expires_at_ms == 0
    assert stopped == [True]


def test_setting_the_stop_event_ends_the_thread_releases_the_lease_and_runs_the_stop_hook(
    session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    ticked = threading.Event()
    stopped: list[bool] = []

    def step() -> str:
        ticked.set()
        return "ran"

    # An interval far longer than the test: only the stop event can end the wait.
    loop = leased(session_factory, step, interval_s=20.0, on_stop=lambda: stopped.append(True))
    stop = threading.Event()
    with caplog.at_level(logging.INFO, logger="backend.db.leased_loop"):
        thread = loop.start_thread(stop)
        assert ticked.wait(timeout=30)
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert thread.name == "job"
    assert lease_row(session_factory).expires_at_ms == 0
    assert stopped == [True]
    assert [record.getMessage() for record in caplog.records] == ["job started", "job lease taken", "job stopped"]
    assert take(session_factory, "a standby copy", int(time.time() * 1000))  # at once, no TTL to wait out


def test_an_interval_the_lease_would_not_outlast_is_refused(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(LeaseTooShort, match=r"the job interval \(30.0s\) must be shorter than its lease TTL"):
        leased(session_factory, lambda: "ran", interval_s=TTL_S)


def test_two_takers_of_an_expired_lease_racing_get_it_once(session_factory: sessionmaker[Session]) -> None:
    """The second taker runs while the first is between its statements (its thread paused right after the first
    one): only one may come away holding the lease, on SQLite (no row lock for a read) as on PostgreSQL."""
    assert take(session_factory, "dead-host:1", now_ms=0)  # expired long ago
    engine = session_factory.kw["bind"]
    first_thread, results = threading.get_ident(), {}
    second = threading.Thread(target=lambda: results.update(second=take(session_factory, "second:1", 10**15)))

    def run_the_second_meanwhile(*_args: object) -> None:
        if threading.get_ident() == first_thread and not second.is_alive() and "second" not in results:
            second.start()
            second.join(0.5)  # it finishes here unless the first's statement holds it off until it commits

    event.listen(engine, "after_cursor_execute", run_the_second_meanwhile)
    try:
        results["first"] = take(session_factory, "first:1", 10**15)
    finally:
        event.remove(engine, "after_cursor_execute", run_the_second_meanwhile)
    second.join(30)

    assert sorted(results.values()) == [False, True], results
    assert lease_row(session_factory).owner == ("first:1" if results["first"] else "second:1")


def test_a_copy_restarted_on_the_dead_holders_machine_takes_its_lease_at_once(
    database_url: str, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The relayer of an `hdex up` killed and started again settles at once instead of an hour (its term) later:
    the dead copy's mark in the data directory shows it has ended. A copy with another data directory (another
    machine) still waits the term out."""
    with lease_holder(database_url, LEASE, tmp_path) as (holder, _owner):
        restarted = leased(session_factory, lambda: "ran", data_dir=tmp_path)
        assert restarted.tick() is None  # the holder lives
        holder.kill()
        holder.wait()

        assert leased(session_factory, lambda: "ran", data_dir=tmp_path / "elsewhere").tick() is None
        assert restarted.tick() == "ran"
        assert lease_row(session_factory).owner == restarted.owner


def test_a_step_that_outlasts_its_lease_stops_at_its_next_write_once_another_owner_took_over(
    session_factory: sessionmaker[Session],
) -> None:
    """The lease is taken at the start of a tick; a step longer than the TTL (a slow node) let a standby copy in,
    and both wrote. `keep()`, called before each write, renews the lease or stops the step."""
    kept: list[str] = []

    def step() -> str:
        loop.keep()
        kept.append("first write")
        with session_factory() as session:  # meanwhile the lease ran out and a standby took it
            session.query(Lease).filter(Lease.name == LEASE).update({Lease.expires_at_ms: 0})
            session.commit()
            assert acquire_lease(session, LEASE, "standby", TTL_S)
        loop.keep()
        kept.append("second write")
        return "done"

    loop = leased(session_factory, step)
    with pytest.raises(LeaseTakenOver):
        loop.tick()
    assert kept == ["first write"]
    assert loop.tick() is None  # the standby holds it now: this copy stands by
