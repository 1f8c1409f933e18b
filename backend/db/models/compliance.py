"""Compliance: imported sanctions lists, the operator deny-list, and the screening audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


class SanctionsList(Base):
    """One imported version of a list; the newest import of a source is the active one."""

    __tablename__ = "sanctions_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    address_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SanctionedAddress(Base):
    __tablename__ = "sanctioned_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("sanctions_lists.id"), index=True)
    address: Mapped[str] = mapped_column(String(42), index=True)  # lower case


class DenyListEntry(Base):
    """An address the operator refuses to serve, with why and who."""

    __tablename__ = "deny_list"

    address: Mapped[str] = mapped_column(String(42), primary_key=True)  # lower case
    reason: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DenyListVersion(Base):
    """One row: a number every change to the deny-list raises in the change's own transaction
    (`backend.compliance.store`). Screeners in every process trust a cached decision only while it is unchanged:
    the entries' count and latest time were not enough (an entry out and another in within a second)."""

    __tablename__ = "deny_list_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class ScreeningDecision(Base):
    """Append-only: who asked, about which address, in what context, against which lists, and the result."""

    __tablename__ = "screening_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(100))
    context: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(42), index=True)
    result: Mapped[str] = mapped_column(String(16))  # clear | blocked | error
    list_versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    hits: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FrozenFunds(Base):
    """A deposit by a blocked address: credited on-chain (the chain cannot refuse it), frozen off-chain.

    Trading and withdrawals exclude it until compliance staff release it (`released_at`, by whom and why:
    `backend.trading.usecases.frozen_funds`).
    """

    __tablename__ = "frozen_funds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_event_id: Mapped[int] = mapped_column(ForeignKey("chain_events.id"), unique=True)
    wallet: Mapped[str] = mapped_column(String(42), index=True)
    token: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount())
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by: Mapped[str | None] = mapped_column(String(100))
    release_reason: Mapped[str | None] = mapped_column(String(500))
