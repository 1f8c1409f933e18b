"""Per-wallet locks for requests that check a limit against the wallet's own rows and then write one (withdrawal
limits, support messages, forum posts): without one, two requests of a wallet, in two processes or two threads,
both read the same count and both pass. And row locks for a read, check and change of one row (a ticket, a case)
by one writer at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.db.models import WalletLock
from backend.errors import HdexError


def lock_wallet(session: Session, scope: str, wallet: str) -> None:
    """Take the wallet's lock of `scope` until the unit of work ends: the row is made if missing (a concurrent
    twin's insert waits for ours), then updated, which locks it on PostgreSQL and holds the write lock on SQLite.
    Take it before reading what it guards: rows read after it include every write of the lock's earlier holders.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(WalletLock)
        .values(scope=scope, wallet=wallet, takes=0)
        .on_conflict_do_nothing(index_elements=["scope", "wallet"])
    )
    session.execute(
        update(WalletLock)
        .where(WalletLock.scope == scope, WalletLock.wallet == wallet)
        .values(takes=WalletLock.takes + 1)
    )


def lock_row(session: Session, key: InstrumentedAttribute[Any], value: object) -> None:
    """Lock the row whose primary key `key` is `value` until the unit of work ends, before it is read, checked and
    changed: a write to it (the key set to itself) takes the row's lock on PostgreSQL and the write lock on SQLite.
    Read it after with `populate_existing`: as its last writer left it (two staff closing and escalating a case at
    once both passed the check on the status they had read)."""
    session.execute(update(key.class_).where(key == value).values({key.key: key}))


def flush_unique(session: Session, taken: HdexError) -> None:
    """Flush the caller's new or changed row; if it breaks a unique index, raise `taken`: another writer took the
    name (a title, a slug, a ban) after the caller's own look-up found it free, and committed first."""
    try:
        session.flush()
    except IntegrityError:
        raise taken from None
