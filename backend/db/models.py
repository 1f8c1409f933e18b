"""Typed SQLAlchemy models. Money columns are Numeric(78, 0): every uint256 fits, no floats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.db.types import Amount

# Stable constraint names, so migrations can alter them on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ContractDeployment(Base):
    """Where a contract of ours lives on a chain; the backend, indexer and relayer read it here."""

    __tablename__ = "contract_deployments"
    __table_args__ = (UniqueConstraint("chain_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(42))
    block_number: Mapped[int] = mapped_column(BigInteger)
    deployed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChainCursor(Base):
    """How far the indexer has read one contract's events, and how many reorgs it has undone."""

    __tablename__ = "chain_cursors"
    __table_args__ = (UniqueConstraint("chain_id", "contract"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract: Mapped[str] = mapped_column(String(42))
    last_block: Mapped[int] = mapped_column(BigInteger)  # scanned up to here (pending or final)
    final_block: Mapped[int] = mapped_column(BigInteger)  # the ledger reflects every event up to here
    reorgs: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ChainBlock(Base):
    """The hash the indexer saw for a block (range ends and blocks with events): reorg detection."""

    __tablename__ = "chain_blocks"
    __table_args__ = (UniqueConstraint("chain_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(66))


class ChainEvent(Base):
    """One Exchange log as seen in one block. Re-inclusion in another block is another row."""

    __tablename__ = "chain_events"
    __table_args__ = (
        UniqueConstraint("chain_id", "tx_hash", "log_index", "block_hash"),
        Index("ix_chain_events_status_block", "chain_id", "status", "block_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int] = mapped_column(Integer)
    contract: Mapped[str] = mapped_column(String(42))
    name: Mapped[str] = mapped_column(String(64))
    # Decoded arguments; integers as decimal strings, addresses checksummed, bytes as 0x-hex.
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending | final | orphaned
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerTransaction(Base):
    """A balanced set of ledger entries with why (reason) and what caused it (unique reference)."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    chain_event_id: Mapped[int | None] = mapped_column(ForeignKey("chain_events.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerEntry(Base):
    """One signed movement of `amount` base units of `token` on `account`. Append-only."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account_token", "account", "token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount())


class LedgerBalance(Base):
    """Cached sum of the entries per (account, token); rebuildable from ledger_entries."""

    __tablename__ = "ledger_balances"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(42), primary_key=True)
    amount: Mapped[int] = mapped_column(Amount())


class Alert(Base):
    """Something an operator must look at (deep reorg reversed a credit, reconciliation failed...)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Lease(Base):
    """A named lease with an expiry: how a single writer (indexer, relayer) is guaranteed."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)  # epoch ms: compares alike on every database
