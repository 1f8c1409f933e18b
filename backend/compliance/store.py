"""Operator actions on compliance data: import a list version, manage the deny-list."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from backend.compliance.lists import BUNDLED_VERSION_PREFIX
from backend.compliance.lists import SanctionsList as ParsedList
from backend.db.models import DenyListEntry, SanctionedAddress, SanctionsList


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


def deny(session: Session, address: str, reason: str, added_by: str) -> None:
    """Add (or update) an address on the operator deny-list."""
    entry = session.get(DenyListEntry, address.lower())
    if entry is None:
        session.add(DenyListEntry(address=address.lower(), reason=reason, added_by=added_by))
    else:
        entry.reason, entry.added_by = reason, added_by


def allow(session: Session, address: str) -> bool:
    """Remove an address from the deny-list; False if it was not there."""
    entry = session.get(DenyListEntry, address.lower())
    if entry is None:
        return False
    session.delete(entry)
    return True
