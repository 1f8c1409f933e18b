"""The alert store: one row per cause while it is open, more occurrences counted on it."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity, alert_view, raise_alert
from backend.db.models import Alert


def test_the_same_open_cause_counts_occurrences_instead_of_new_alerts(session: Session) -> None:
    first = raise_alert(
        session, AlertKind.INDEXER_LAG, Severity.WARNING, "indexer 40 blocks behind", subject="system:indexer",
        details={"lag": 40}, dedup_key="indexer-lag", now_ms=1_000,
    )  # fmt: skip
    assert first is not None
    again = raise_alert(
        session, AlertKind.INDEXER_LAG, Severity.WARNING, "indexer 55 blocks behind", dedup_key="indexer-lag",
        now_ms=2_000,
    )  # fmt: skip
    assert again is None
    view = alert_view(session.scalars(select(Alert)).one())
    assert (view.occurrences, view.created_at_ms, view.last_seen_at_ms) == (2, 1_000, 2_000)
    assert (view.kind, view.subject, view.status, view.details) == (
        "operator.indexer_lag",
        "system:indexer",
        "open",
        {"lag": 40},
    )


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
