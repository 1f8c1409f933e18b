"""The double-entry ledger (see backend.ledger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


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
