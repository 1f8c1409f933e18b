"""Operations: alerts for people, leases for single writers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base

OPEN_DEDUP_KEY_WHERE = "status <> 'closed'"  # the alerts whose `dedup_key` is unique: those not closed


class Alert(Base):
    """Something a person must look at (deep reorg reversed a credit, a market's circuit breaker tripped, an
    AML rule matched...): the one alert store (`backend.alerts`). Written once; an alert with the same open
    `dedup_key` counts another occurrence instead (at most one alert that is not closed holds a key: a unique
    index). `delivered_at_ms` is the outbox mark of the delivery loop."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "ux_alerts_open_dedup_key",
            "dedup_key",
            unique=True,
            postgresql_where=text(OPEN_DEDUP_KEY_WHERE),
            sqlite_where=text(OPEN_DEDUP_KEY_WHERE),
        ),
        Index("ix_alerts_undelivered", "delivered_at_ms"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    subject: Mapped[str | None] = mapped_column(String(200))  # "market:WETH-USDC", "wallet:0x..", "system:relayer"
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")  # open|acknowledged|closed
    case_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("cases.id", ondelete="SET NULL"))
    occurrences: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at_ms: Mapped[int | None] = mapped_column(BigInteger)  # None only on alerts older than migration 0011
    last_seen_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    delivered_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    # per channel: {"log": ms, "webhook": ms, "email:ops@x": ms} once each succeeded (`backend.alerts.delivery`)
    deliveries: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # passes with a failure
    next_delivery_at_ms: Mapped[int | None] = mapped_column(BigInteger)  # a failed channel's retry, after backoff
    delivery_error: Mapped[str | None] = mapped_column(String(500))  # the last pass's failures, per channel


class Lease(Base):
    """A named lease with an expiry: how a single writer (indexer, relayer) is guaranteed."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)  # epoch ms: compares alike on every database


class WalletLock(Base):
    """One row per (scope, wallet) that took the lock: a request that checks a per-wallet limit against the
    wallet's own rows and then writes one updates it first (`backend.db.locks`), so two requests of one wallet
    check one after the other (a row lock on PostgreSQL, the write lock on SQLite), never both against the
    same rows."""

    __tablename__ = "wallet_locks"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)  # "withdrawal", "support", "forum"
    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    takes: Mapped[int] = mapped_column(BigInteger)  # how many requests took the lock
