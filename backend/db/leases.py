"""Leases: one writer per named job (indexer, relayer) across processes, on any database."""

from __future__ import annotations

import time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import Lease


def acquire_lease(session: Session, name: str, owner: str, ttl_s: float, now_ms: int | None = None) -> bool:
    """Take or renew lease `name` for `owner`; False if another owner holds it unexpired.

    Commits on its own (a lease must be visible to other processes at once).
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    expires = now + int(ttl_s * 1000)
    lease = session.get(Lease, name, with_for_update=True)
    if lease is None:
        session.add(Lease(name=name, owner=owner, expires_at_ms=expires))
        try:
            session.commit()
        except IntegrityError:  # another process created it first
            session.rollback()
            return False
        return True
    if lease.owner != owner and lease.expires_at_ms > now:
        session.rollback()
        return False
    lease.owner, lease.expires_at_ms = owner, expires
    session.commit()
    return True


def release_lease(session: Session, name: str, owner: str) -> None:
    """Give the lease up at once (clean shutdown), if we hold it: no one owns it after, so not even the
    releasing owner renews it by mistake."""
    lease = session.get(Lease, name, with_for_update=True)
    if lease is not None and lease.owner == owner:
        lease.owner, lease.expires_at_ms = "", 0
    session.commit()
