"""The alert store: one row per cause while it is open, more occurrences counted on it, also when two writers
raise the same cause at once."""

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from backend.alerts import AlertKind, Severity, alert_view, cases, raise_alert
from backend.db.models import Alert
from backend.db.session import make_engine

STAFF = "staff:ann@example.com"


def test_the_same_open_cause_counts_occurrences_and_shows_the_latest_instead_of_new_alerts(session: Session) -> None:
    first = raise_alert(
        session, AlertKind.INDEXER_LAG, Severity.WARNING, "indexer 40 blocks behind", subject="system:indexer",
        details={"lag": 40}, dedup_key="indexer-lag", now_ms=1_000,
    )  # fmt: skip
    assert first is not None
    again = raise_alert(
        session, AlertKind.INDEXER_LAG, Severity.WARNING, "indexer 55 blocks behind", subject="system:indexer",
        details={"lag": 55}, dedup_key="indexer-lag", now_ms=2_000,
    )  # fmt: skip
    assert again is None
    view = alert_view(session.scalars(select(Alert)).one())
    assert (view.occurrences, view.created_at_ms, view.last_seen_at_ms) == (2, 1_000, 2_000)
    assert (view.kind, view.subject, view.status) == ("operator.indexer_lag", "system:indexer", "open")
    assert (view.message, view.details) == ("indexer 55 blocks behind", {"lag": 55})  # the latest occurrence's


def test_a_closed_alert_lets_the_same_cause_raise_a_new_one(session: Session) -> None:
    first = raise_alert(session, AlertKind.GAS_LOW, Severity.CRITICAL, "operator gas low", dedup_key="gas")
    assert first is not None
    first.status = "closed"
    assert raise_alert(session, AlertKind.GAS_LOW, Severity.CRITICAL, "operator gas low", dedup_key="gas") is not None
    assert len(session.scalars(select(Alert)).all()) == 2


def test_alerts_without_a_key_are_never_merged(session: Session) -> None:
    for _ in range(2):
        raise_alert(session, AlertKind.VELOCITY, Severity.WARNING, "volume far above level")
    assert len(session.scalars(select(Alert)).all()) == 2


@pytest.fixture
def postgres_sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgres_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def raise_lag(session: Session, lag: int) -> Alert | None:
    return raise_alert(session, AlertKind.INDEXER_LAG, Severity.WARNING, f"indexer {lag} blocks behind",
                       dedup_key="indexer-lag", now_ms=lag)  # fmt: skip


def wait_until_blocked_or_done(sessions: sessionmaker[Session], worker: threading.Thread) -> None:
    """Until `worker` waits on a lock of this test's database, or has finished (at most 10 s)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with sessions() as watcher:
        for _ in range(1_000):
            if watcher.scalar(waiting) or not worker.is_alive():
                return
            watcher.rollback()
            time.sleep(0.01)


def test_two_writers_raising_the_same_open_cause_at_once_count_one_alert(
    postgres_sessions: sessionmaker[Session],
) -> None:
    """Two monitor passes in two processes: the second reads before the first commits."""
    with postgres_sessions() as first:
        assert raise_lag(first, 40) is not None  # inserted, not committed yet
        second_raised: list[Alert | None] = []

        def second_pass() -> None:
            with postgres_sessions() as second:
                second_raised.append(raise_lag(second, 55))
                second.commit()

        worker = threading.Thread(target=second_pass)
        worker.start()
        wait_until_blocked_or_done(postgres_sessions, worker)
        first.commit()
        worker.join(10)
    assert second_raised == [None]
    with postgres_sessions() as session:
        [alert] = session.scalars(select(Alert)).all()
    assert (alert.occurrences, alert.created_at_ms, alert.last_seen_at_ms) == (2, 40, 55)


def test_reopening_a_case_whose_cause_has_a_newer_open_alert_keeps_one_open_alert_per_cause(session: Session) -> None:
    first = raise_lag(session, 40)
    assert first is not None
    case = cases.open_case(session, [first.id], "lag", actor=STAFF, ip=None, now_ms=1)
    cases.change_status(session, case.id, "closed", "caught up", actor=STAFF, ip=None, now_ms=2)
    newer = raise_lag(session, 60)  # the cause is back: a new alert
    assert newer is not None
    cases.change_status(session, case.id, "open", "look again", actor=STAFF, ip=None, now_ms=3)
    session.flush()
    assert raise_lag(session, 70) is None  # counted on the newer alert, which keeps the key
    rows = session.scalars(select(Alert).order_by(Alert.id)).all()
    assert [(a.status, a.dedup_key, a.occurrences) for a in rows] == [
        ("acknowledged", None, 1), ("open", "indexer-lag", 2)
    ]  # fmt: skip
