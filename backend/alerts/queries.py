"""Reading the alert store: the back office's filtered list (newest first, paged by id) and the event stream's
"alerts stored after id N" (oldest first)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.alerts.store import AlertView, alert_view
from backend.db.list_queries import newest_first, where_given
from backend.db.models import Alert
from backend.errors import ErrorCode, HdexError


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a reader wants; None means any. `subject` matches exactly ("wallet:0x..", "market:...")."""

    status: str | None = None
    kind: str | None = None
    severity: str | None = None
    subject: str | None = None


def list_alerts(session: Session, where: AlertFilter, limit: int, below_id: int | None = None) -> list[AlertView]:
    """Alerts matching `where`, newest first, at most `limit`, with ids below `below_id` if given."""
    query = where_given(
        newest_first(select(Alert), Alert.id, limit, below_id),
        (Alert.status, where.status),
        (Alert.kind, where.kind),
        (Alert.severity, where.severity),
        (Alert.subject, where.subject),
    )
    return [alert_view(row) for row in session.scalars(query)]


def alerts_after(session: Session, after_id: int, limit: int = 100) -> list[AlertView]:
    """Alerts stored after id `after_id`, oldest first (ids only grow, so this is "new since")."""
    query = select(Alert).where(Alert.id > after_id).order_by(Alert.id).limit(limit)
    return [alert_view(row) for row in session.scalars(query)]


def latest_alert_id(session: Session) -> int:
    """The newest alert's id, 0 in an empty store: where a stream of new alerts starts."""
    return int(session.scalar(select(func.max(Alert.id))) or 0)


def case_alerts(session: Session, case_id: int) -> list[AlertView]:
    """The alerts of case `case_id`, oldest first (one query)."""
    query = select(Alert).where(Alert.case_id == case_id).order_by(Alert.id)
    return [alert_view(row) for row in session.scalars(query)]


def get_alert(session: Session, alert_id: int) -> Alert:
    """The alert row, or ALERT_NOT_FOUND."""
    row = session.get(Alert, alert_id)
    if row is None:
        raise HdexError(ErrorCode.ALERT_NOT_FOUND, f"there is no alert {alert_id}", "alertId")
    return row
