"""Per-wallet locks for requests that check a limit against the wallet's own rows and then write one (withdrawal
limits, support messages, forum posts): without one, two requests of a wallet, in two processes or two threads,
both read the same count and both pass. And row locks for a read, check and change of one row (a ticket, a case)
by one writer at a time."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import WalletLock
from backend.errors import HdexError

Row = TypeVar("Row")


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


def get_for_change(session: Session, model: type[Row], ident: object) -> Row | None:
    """The row of `model` with primary key `ident` (None if there is none), locked until the unit of work ends, to be
    read, checked and changed by one writer at a time: a write to it first (its key set to itself) takes the row's
    lock on PostgreSQL and the write lock on SQLite, then it is read as its last writer left it (two staff closing
    and escalating a case at once both passed the check on the status they had read)."""
    key = sa_inspect(model).primary_key[0]
    session.execute(update(model).where(key == ident).values({key.name: key}))
    return session.get(model, ident, populate_existing=True)


def flush_unique(session: Session, taken: HdexError) -> None:
    """Flush the caller's new or changed row; if it breaks a unique index, raise `taken`: another writer took the
    name (a title, a slug, a ban) after the caller's own look-up found it free, and committed first."""
    try:
        session.flush()
    except IntegrityError:
        raise taken from None
