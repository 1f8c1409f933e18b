"""The operator's deny-list, each change with its audit-log entry: `hdex compliance deny|allow` and the staff
API call these. The list itself and its rows are `backend.compliance.store`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.compliance.store import allow, deny
from backend.db.models import DenyListEntry

ADDED_BY_CHARS = 100  # the deny_list.added_by column


@dataclass(frozen=True, slots=True)
class DenyEntry:
    """One deny-listed address (lower case, as stored) and why, who, when (epoch ms)."""

    address: str
    reason: str
    added_by: str
    added_at_ms: int


def _entry(row: DenyListEntry) -> DenyEntry:
    added_at = row.added_at  # SQLite's CURRENT_TIMESTAMP comes back without a zone, and is UTC
    if added_at.tzinfo is None:
        added_at = added_at.replace(tzinfo=UTC)
    return DenyEntry(row.address, row.reason, row.added_by, int(added_at.timestamp() * 1000))


def _audited(row: DenyListEntry | None) -> dict[str, str] | None:
    return None if row is None else {"reason": row.reason, "added_by": row.added_by}


def deny_list(session: Session) -> list[DenyEntry]:
    """Every deny-listed address, newest first."""
    rows = session.scalars(select(DenyListEntry).order_by(DenyListEntry.added_at.desc(), DenyListEntry.address))
    return [_entry(row) for row in rows]


def deny_address(session: Session, address: str, reason: str, *, actor: str, ip: str | None = None) -> DenyEntry:
    """Put `address` on the deny-list (or change why it is there) and audit-log "denylist.add" with the
    entry before and after; the entry names `actor` as who added it. The caller commits."""
    address, added_by = address.lower(), actor[:ADDED_BY_CHARS]
    before = _audited(session.get(DenyListEntry, address))
    deny(session, address, reason, added_by)
    record_action(
        session, actor=actor, action="denylist.add", target=f"address:{address}", before=before,
        after={"reason": reason, "added_by": added_by}, ip=ip,
    )  # fmt: skip
    session.flush()
    row = session.get(DenyListEntry, address)
    assert row is not None  # just written
    session.refresh(row)  # added_at is the database's
    return _entry(row)


def allow_address(session: Session, address: str, *, actor: str, reason: str, ip: str | None = None) -> bool:
    """Take `address` off the deny-list and audit-log "denylist.remove" with the entry before and the reason;
    False, and nothing logged, if it was not there. The caller commits."""
    address = address.lower()
    before = _audited(session.get(DenyListEntry, address))
    if not allow(session, address):
        return False
    record_action(
        session, actor=actor, action="denylist.remove", target=f"address:{address}", before=before,
        after={"reason": reason}, ip=ip,
    )  # fmt: skip
    return True
