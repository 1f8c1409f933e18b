"""Operator actions on compliance data: import a list version, manage the deny-list."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from backend.compliance.lists import BUNDLED_VERSION_PREFIX
from backend.compliance.lists import SanctionsList as ParsedList
from backend.db.models import DenyListEntry, DenyListVersion, SanctionedAddress, SanctionsList

DENY_LIST_VERSION_ID = 1  # the one row of deny_list_version (migration 0045 writes it)


def import_list(session: Session, parsed: ParsedList) -> tuple[SanctionsList, bool]:
    """Make `parsed` the active version of its source; (row, False) if that version is already active."""
    active = session.scalar(
        select(SanctionsList).where(SanctionsList.source == parsed.source, SanctionsList.active)
    )
    if active is not None and active.version == parsed.version:
        return active, False
    session.execute(update(SanctionsList).where(SanctionsList.source == parsed.source).values(active=False))
    row = SanctionsList(
        source=parsed.source, version=parsed.version, address_count=len(parsed.addresses), active=True
    )
    session.add(row)
    session.flush()
    if parsed.addresses:
        session.execute(
            insert(SanctionedAddress), [{"list_id": row.id, "address": a} for a in sorted(parsed.addresses)]
        )
    return row, True


def active_addresses(session: Session, source: str) -> frozenset[str]:
    """The addresses of `source`'s active version (lower case); empty when none was imported."""
    listed = session.scalars(
        select(SanctionedAddress.address)
        .join(SanctionsList, SanctionsList.id == SanctionedAddress.list_id)
        .where(SanctionsList.source == source, SanctionsList.active)
    )
    return frozenset(listed)


def import_bundled_list(session: Session, bundled: ParsedList) -> tuple[SanctionsList, bool]:
    """Make the snapshot shipped with HDEX (`lists.bundled_ofac_list()`) active, unless the operator imported
    a list of its source (`hdex compliance import`): a newer HDEX's snapshot replaces an older one, never the
    operator's list, which is newer than any snapshot when imported. (row, False) when nothing changed."""
    active = session.scalar(select(SanctionsList).where(SanctionsList.source == bundled.source, SanctionsList.active))
    if active is not None and not active.version.startswith(BUNDLED_VERSION_PREFIX):
        return active, False
    return import_list(session, bundled)


def deny_list_version(session: Session) -> int:
    """The deny-list's version: raised by every change, never repeated (0 before the first)."""
    version = session.scalar(select(DenyListVersion.version).where(DenyListVersion.id == DENY_LIST_VERSION_ID))
    return version or 0


def _raise_deny_list_version(session: Session) -> None:
    """Raise the version in the caller's transaction, so it commits with the change or not at all. The UPDATE
    serializes changers (a row lock on PostgreSQL, the write lock on SQLite): none is lost, none repeated."""
    raised = session.execute(
        update(DenyListVersion)
        .where(DenyListVersion.id == DENY_LIST_VERSION_ID)
        .values(version=DenyListVersion.version + 1)
    )
    if cast(CursorResult[Any], raised).rowcount != 1:  # changes the screeners would not see: refuse them
        raise RuntimeError("deny_list_version has no row: the database is not migrated to 0045")


def deny(session: Session, address: str, reason: str, added_by: str) -> None:
    """Add (or update) an address on the operator deny-list."""
    entry = session.get(DenyListEntry, address.lower())
    if entry is None:
        session.add(DenyListEntry(address=address.lower(), reason=reason, added_by=added_by))
    else:
        entry.reason, entry.added_by = reason, added_by
    _raise_deny_list_version(session)


def allow(session: Session, address: str) -> bool:
    """Remove an address from the deny-list; False if it was not there."""
    entry = session.get(DenyListEntry, address.lower())
    if entry is None:
        return False
    session.delete(entry)
    _raise_deny_list_version(session)
    return True
