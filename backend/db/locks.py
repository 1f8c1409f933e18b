"""Per-wallet locks for requests that check a limit against the wallet's own rows and then write one (withdrawal
limits, support messages, forum posts): without one, two requests of a wallet, in two processes or two threads,
both read the same count and both pass."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.db.models import WalletLock


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
