"""Raising alerts: one row per cause, deduplicated while open (see the package docs)."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import UTC
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.db.models import Alert
from backend.db.models.ops import OPEN_DEDUP_KEY_WHERE


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertKind(StrEnum):
    """What raised an alert; stable strings (webhook receivers and Prometheus rules match on them)."""

    # market risk
    VOLATILITY = "market.volatility"  # a move past the alert threshold within the breaker window
    CIRCUIT_BREAKER = "market.circuit_breaker"  # a move past the breaker threshold: the market halted
    FEED_STALE = "feed.stale"
    FEED_DEVIATION = "feed.deviation"  # the feed and the market's last trade differ (halts past the limit)
    # operator risk
    GAS_LOW = "operator.gas_low"
    SETTLEMENT_DELAYED = "operator.settlement_delayed"
    INDEXER_LAG = "operator.indexer_lag"
    LEDGER_DIFFERENCE = "operator.ledger_difference"  # pauses withdrawals
    LEDGER_SURPLUS = "operator.ledger_surplus"  # the Exchange holds a token beyond every account: a missed deposit?
    SCREENING_LIST_STALE = "operator.screening_list_stale"
    CUSTODY_CALL_SCHEDULED = "operator.custody_call_scheduled"  # a timelocked admin call that may still run
    ADMIN_NOT_CUSTODY = "operator.admin_not_custody"  # the Exchange's admin is not our Custody: no timelock
    # AML
    STRUCTURING = "aml.structuring"
    VELOCITY = "aml.velocity"
    RAPID_IN_OUT = "aml.rapid_in_out"
    WASH_TRADING = "aml.wash_trading"
    SANCTIONED_WALLET = "aml.sanctioned_wallet"  # re-screening found a newly listed wallet: frozen
    # raised before issue 14, kept as they were
    SANCTIONED_DEPOSIT = "sanctioned_deposit"
    DEEP_REORG = "deep_reorg"


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as doors show it."""

    id: int
    kind: str
    severity: str
    subject: str | None
    message: str
    details: dict[str, Any]
    status: str
    case_id: int | None
    occurrences: int
    created_at_ms: int | None
    last_seen_at_ms: int | None


def alert_view(row: Alert) -> AlertView:
    created = row.created_at_ms
    if created is None and row.created_at is not None:  # alerts older than migration 0011
        stamped = row.created_at  # SQLite keeps no time zone: the database's clock is UTC
        created = int((stamped if stamped.tzinfo else stamped.replace(tzinfo=UTC)).timestamp() * 1000)
    return AlertView(
        row.id, row.kind, row.severity, row.subject, row.message, dict(row.details), row.status, row.case_id,
        row.occurrences, created, row.last_seen_at_ms,
    )  # fmt: skip


def raise_alert(
    session: Session,
    kind: AlertKind,
    severity: Severity,
    message: str,
    *,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    dedup_key: str | None = None,
    now_ms: int | None = None,
) -> Alert | None:
    """Record an alert in the caller's unit of work (the caller commits) and return it; or, when an alert
    with the same `dedup_key` is still open, count one more occurrence on it, its message and details now this
    occurrence's, and return None (a monitor that sees the same cause every minute raises one alert, not
    sixty)."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    row = new_alert(kind, severity, message, subject=subject, details=details or {}, now_ms=now)
    if dedup_key is None:
        session.add(row)
        session.flush()
        return row
    row.dedup_key = dedup_key
    return _insert_or_count(session, row)


def _insert_or_count(session: Session, row: Alert) -> Alert | None:
    """Insert `row`, or count one more occurrence on the open alert with its key, in one statement: the unique
    index of open keys makes a writer whose twin inserted the same key first (another process's pass, not yet
    committed) wait for it and then count on its row, where a read before the insert saw nothing and inserted a
    second alert."""
    session.flush()  # the caller's own changes first: an alert it has just closed takes no more occurrences
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # every column the new row sets; the rest (id, delivery marks, case) take the table's defaults
    values = {
        column.key: value for column in Alert.__table__.columns if (value := getattr(row, column.key)) is not None
    }
    statement = (
        insert(Alert)
        .values(values)
        .on_conflict_do_update(
            index_elements=[Alert.dedup_key],
            index_where=text(OPEN_DEDUP_KEY_WHERE),
            set_=_counted(row),
        )
        .returning(Alert.id, Alert.occurrences)
    )
    alert_id, occurrences = session.execute(statement).one()
    alert = session.get(Alert, alert_id, populate_existing=True)  # a copy the session held predates the count
    return alert if occurrences == 1 else None  # a count made it at least 2


def _counted(row: Alert) -> dict[str, Any]:
    """What one more occurrence changes on the open alert: its count, and the latest occurrence's time, words and
    evidence (`created_at_ms` stays the first seen)."""
    return {
        "occurrences": Alert.occurrences + 1,
        "last_seen_at_ms": row.last_seen_at_ms,
        "message": row.message,
        "details": row.details,
    }


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """An alert one part builds and another raises in its own unit of work: the feed monitor's halt alert, which
    the engine host stores in the batch that stores the halt, so that neither is ever stored without the other."""

    kind: AlertKind
    severity: Severity
    message: str
    subject: str
    dedup_key: str
    details: dict[str, Any]
    now_ms: int

    def arguments(self) -> dict[str, Any]:
        """`raise_alert`'s keyword arguments (as the engine host's batch keeps its alerts)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def new_alert(
    kind: AlertKind, severity: Severity, message: str, *, subject: str | None, details: dict[str, Any], now_ms: int
) -> Alert:
    """An open alert's row, not yet added to a session (for a caller that hands its rows to another's unit of
    work, as the indexer's deposit screening does); `raise_alert` records one."""
    return Alert(
        kind=kind.value, severity=severity.value, message=message[:1000], details=details, subject=subject,
        status="open", occurrences=1, created_at_ms=now_ms, last_seen_at_ms=now_ms,
    )  # fmt: skip


SEVERITY_RANK: dict[str, int] = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def at_least(severity: str, minimum: str) -> bool:
    """Whether `severity` is `minimum` or graver (an unknown severity counts as the gravest: it is shown)."""
    return SEVERITY_RANK.get(severity, SEVERITY_RANK[Severity.CRITICAL]) >= SEVERITY_RANK[minimum]


def alert_json(view: AlertView) -> dict[str, Any]:
    """An alert's wire shape, the same in the staff API, its event stream and the webhook: {"id", "kind",
    "severity", "subject", "message", "details", "status", "caseId", "occurrences", "createdAt" (ms),
    "lastSeenAt" (ms)}."""
    return {
        "id": view.id,
        "kind": view.kind,
        "severity": view.severity,
        "subject": view.subject,
        "message": view.message,
        "details": view.details,
        "status": view.status,
        "caseId": view.case_id,
        "occurrences": view.occurrences,
        "createdAt": view.created_at_ms,
        "lastSeenAt": view.last_seen_at_ms,
    }
