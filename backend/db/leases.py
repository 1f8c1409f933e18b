"""Leases: one writer per named job (indexer, relayer, the engine host) across processes, on any database."""

from __future__ import annotations

import time

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import Lease


def acquire_lease(session: Session, name: str, owner: str, ttl_s: float, now_ms: int | None = None) -> bool:
    """Take or renew lease `name` for `owner`; False if another owner holds it unexpired.

    The take is one conditional UPDATE, not a read then a write: SQLite has no row lock for a read to take,
    so two processes that both saw an expired lease would both have been given it. Commits on its own (a
    lease must be visible to other processes at once).
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    expires = now + int(ttl_s * 1000)
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.owner == owner, Lease.expires_at_ms <= now))
        .values(owner=owner, expires_at_ms=expires)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE's result carries its row count
        session.commit()
        return True
    if session.scalar(select(Lease.name).where(Lease.name == name)) is not None:  # another's, unexpired
        session.rollback()
        return False
    session.add(Lease(name=name, owner=owner, expires_at_ms=expires))
    try:
        session.commit()
    except IntegrityError:  # another process created it first
        session.rollback()
        return False
    return True


def take_lease_from(session: Session, name: str, dead_owner: str, owner: str, ttl_s: float) -> bool:
    """Take lease `name` from `dead_owner`, whatever is left of its term, for a caller that knows that owner is dead
    (`backend.trading.hosting.lease`); False if it changed hands meanwhile. One conditional UPDATE, as the take is;
    commits on its own."""
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == dead_owner)
        .values(owner=owner, expires_at_ms=_expires_at_ms(ttl_s))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return taken.rowcount == 1  # type: ignore[attr-defined, no-any-return]  # an UPDATE's result has a count


def renew_lease(session: Session, name: str, owner: str, ttl_s: float) -> bool:
    """Renew lease `name` if `owner` holds it, inside the caller's transaction (no commit); False if not. Its
    row lock orders the caller's transaction after any takeover it races with."""
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == owner)
        .values(expires_at_ms=_expires_at_ms(ttl_s))
        .execution_options(synchronize_session=False)
    )
    return renewed.rowcount == 1  # type: ignore[attr-defined, no-any-return]  # an UPDATE's result has a count


def release_lease(session: Session, name: str, owner: str) -> None:
    """Give the lease up at once (clean shutdown), if we hold it: no one owns it after, so not even the
    releasing owner renews it by mistake. Conditional, as the take is: never the lease of whoever took it over."""
    session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == owner)
        .values(owner="", expires_at_ms=0)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _expires_at_ms(ttl_s: float) -> int:
    """When a lease taken or renewed now for `ttl_s` runs out (epoch ms)."""
    return int(time.time() * 1000) + int(ttl_s * 1000)
