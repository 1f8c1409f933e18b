"""The regulator report of a case (escalated or in any state): everything a reader outside HDEX needs, as one
JSON document, rendered to printable HTML by `backend.alerts.report_html`.

The report holds the case, its alerts with their details, its notes, the audit-log entries about the case
and its alerts (including this export, which is recorded first: a report leaves the building, so it is an
audited act, "case.export"), and for a case about a wallet ("wallet:0x..") that wallet's KYC level and
ledger balances. Amounts are decimal strings of base units; times are epoch ms.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.accounts.levels import current_level
from backend.accounts.profiles import normalise_address
from backend.alerts.cases import CaseView, NoteView, case_notes, get_case
from backend.alerts.queries import case_alerts
from backend.alerts.store import alert_json
from backend.audit_log import AuditFilter, entry_json, list_entries, record_action
from backend.errors import HdexError
from backend.ledger.service import balances as ledger_balances

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


def note_json(note: NoteView) -> dict[str, Any]:
    """A case note's wire shape (staff API and report): {"id", "author", "body", "createdAt"}."""
    return {"id": note.id, "author": note.author, "body": note.body, "createdAt": note.created_at_ms}


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
        "alerts": [alert_json(view) for view in case_alerts(session, case.id)],
        "notes": [note_json(note) for note in case_notes(session, case.id)],
        "auditLog": _audit_trail(session, case),
        "wallet": _wallet_summary(session, case.subject),
    }


def _audit_trail(session: Session, case: CaseView) -> list[dict[str, Any]]:
    # The audit log has no index on target: a scan, acceptable for an export staff run by hand.
    targets = (f"case:{case.id}", *(f"alert:{alert_id}" for alert_id in case.alert_ids))
    entries = list_entries(session, AuditFilter(targets=targets), MAX_AUDIT_ENTRIES)
    return [entry_json(entry) for entry in reversed(entries)]  # oldest first: the case's story in order


def _wallet_summary(session: Session, subject: str | None) -> dict[str, Any] | None:
    """A wallet subject's KYC level and ledger balances (final, on-chain); None for any other subject."""
    if subject is None or not subject.startswith("wallet:"):
        return None
    try:
        address = normalise_address(subject.removeprefix("wallet:"))
    except HdexError:
        return None
    held = sorted((token, amount) for (_, token), amount in ledger_balances(session, address).items())
    return {
        "address": address,
        "kycLevel": current_level(session, address),
        "balances": [{"token": token, "amount": str(amount)} for token, amount in held],
    }
