"""The regulator report of a case (escalated or in any state): everything a reader outside HDEX needs, as one
JSON document, rendered to printable HTML by `backend.alerts.report_html`.

The report holds the case, its alerts with their details, its notes, the audit-log entries about the case
and its alerts (including this export, which is recorded first: a report leaves the building, so it is an
audited act, "case.export"), and for a case about a wallet ("wallet:0x..") that wallet's KYC level and
ledger balances. Amounts are decimal strings of base units; times are epoch ms.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.accounts.levels import current_level
from backend.accounts.profiles import normalise_address
from backend.alerts.cases import CaseView, case_notes, get_case
from backend.alerts.queries import get_alert
from backend.alerts.store import alert_json, alert_view
from backend.audit_log import record_action
from backend.db.models import AuditLogEntry, LedgerBalance
from backend.errors import HdexError

REPORT_VERSION = 1
MAX_AUDIT_ENTRIES = 1_000


def case_json(case: CaseView) -> dict[str, Any]:
    """A case's wire shape (staff API and report): {"id", "title", "subject", "status", "assignee",
    "closeReason", "createdBy", "createdAt", "updatedAt", "alertIds"}."""
    return {
        "id": case.id,
        "title": case.title,
        "subject": case.subject,
        "status": case.status,
        "assignee": case.assignee,
        "closeReason": case.close_reason,
        "createdBy": case.created_by,
        "createdAt": case.created_at_ms,
        "updatedAt": case.updated_at_ms,
        "alertIds": list(case.alert_ids),
    }


def export_case_report(
    session: Session, case_id: int, *, report_format: str, actor: str, ip: str | None, now_ms: int
) -> dict[str, Any]:
    """Record the export ("case.export", CASE_NOT_FOUND for an unknown case) and build the report; the caller
    commits, so that no report is handed out without its audit-log entry."""
    case = get_case(session, case_id)
    record_action(
        session, actor=actor, action="case.export", target=f"case:{case.id}", before=None,
        after={"format": report_format, "status": case.status}, ip=ip,
    )  # fmt: skip
    session.flush()
    return {
        "reportVersion": REPORT_VERSION,
        "generatedAt": now_ms,
        "generatedBy": actor,
        "case": case_json(case),
        "alerts": [alert_json(alert_view(get_alert(session, alert_id))) for alert_id in case.alert_ids],
        "notes": [
            {"id": n.id, "author": n.author, "body": n.body, "createdAt": n.created_at_ms}
            for n in case_notes(session, case.id)
        ],
        "auditLog": _audit_trail(session, case),
        "wallet": _wallet_summary(session, case.subject),
    }


def _audit_trail(session: Session, case: CaseView) -> list[dict[str, Any]]:
    # The audit log has no index on target: a scan, acceptable for an export staff run by hand.
    targets = [f"case:{case.id}", *(f"alert:{alert_id}" for alert_id in case.alert_ids)]
    query = (
        select(AuditLogEntry)
        .where(AuditLogEntry.target.in_(targets))
        .order_by(AuditLogEntry.seq)
        .limit(MAX_AUDIT_ENTRIES)
    )
    return [
        {
            "seq": row.seq,
            "at": row.at_ms,
            "actor": row.actor,
            "action": row.action,
            "target": row.target,
            "before": _json_value(row.before),
            "after": _json_value(row.after),
            "ip": row.ip,
            "hash": row.hash,
        }
        for row in session.scalars(query)
    ]


def _wallet_summary(session: Session, subject: str | None) -> dict[str, Any] | None:
    """A wallet subject's KYC level and ledger balances (final, on-chain); None for any other subject."""
    if subject is None or not subject.startswith("wallet:"):
        return None
    try:
        address = normalise_address(subject.removeprefix("wallet:"))
    except HdexError:
        return None
    rows = session.execute(
        select(LedgerBalance.token, LedgerBalance.amount)
        .where(or_(LedgerBalance.account == address, func.lower(LedgerBalance.account) == address.lower()))
        .order_by(LedgerBalance.token)
    )
    return {
        "address": address,
        "kycLevel": current_level(session, address),
        "balances": [{"token": token, "amount": str(amount)} for token, amount in rows if amount],
    }


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:  # an entry edited in the database: show what is there (`hdex audit-log verify` flags it)
        return text
