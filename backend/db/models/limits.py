"""Tier limits (backend.limits): staff overrides of a wallet's limits and the reference value of each withdrawal
request (a wallet's limit checks take turns under its `WalletLock`).

Amounts are reference-token base units (`Amount`). Addresses are EIP-55. Times are epoch ms.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


class LimitOverride(Base):
    """A wallet's limits set by staff in place of its tier's; a None column keeps the tier's value.
    A row whose three limits are all None is deleted instead of kept."""

    __tablename__ = "limit_overrides"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    withdrawal_daily: Mapped[int | None] = mapped_column(Amount())
    withdrawal_30d: Mapped[int | None] = mapped_column(Amount())
    max_order_notional: Mapped[int | None] = mapped_column(Amount())
    reason: Mapped[str] = mapped_column(String(500))
    updated_by: Mapped[str] = mapped_column(String(320))  # the audit log's actor: "staff:<email>"
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class WithdrawalValuation(Base):
    """What a withdrawal request was worth in the reference token when it was accepted: the usage it adds
    to its wallet's daily and 30-day limits for as long as the request has not failed."""

    __tablename__ = "withdrawal_valuations"
    __table_args__ = (Index("ix_withdrawal_valuations_wallet_created", "wallet", "created_at_ms"),)

    request_hash: Mapped[str] = mapped_column(
        String(66), ForeignKey("withdrawal_requests.hash", ondelete="CASCADE"), primary_key=True
    )
    wallet: Mapped[str] = mapped_column(String(42))
    value: Mapped[int] = mapped_column(Amount())  # reference base units, rounded up
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
