"""What the chain told us: our deployments, the indexer's cursor, block hashes and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


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
        Index("ix_chain_events_name", "name", "id"),  # the latest of a kind (`load_markets`: FeeScheduleSet)
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
