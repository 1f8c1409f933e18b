"""Risk and AML monitoring (issue 14): cases staff work alerts in, each market's risk settings and current
halt, withdrawal pauses after a ledger difference, and the travel-rule data stored with a withdrawal.

Amounts are base units (`Amount`): a market's size limits in its base token, notionals in its quote token.
Addresses are EIP-55. Times are epoch ms.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


class Case(Base):
    """An investigation of one or more alerts: open -> investigating -> escalated -> closed (with a reason)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(200))  # as on its alerts: "wallet:0x..", "market:..."
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(320))  # a staff e-mail
    close_reason: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class CaseNote(Base):
    """A note on a case, by a staff member; notes are never edited."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(320))
    body: Mapped[str] = mapped_column(Text)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class MarketRisk(Base):
    """A market's risk settings set by staff; a None column keeps the exchange-wide default (settings)."""

    __tablename__ = "market_risk"

    market: Mapped[str] = mapped_column(String(32), ForeignKey("markets.name", ondelete="CASCADE"), primary_key=True)
    band_bps: Mapped[int | None] = mapped_column(Integer)  # aggressive orders within this of the reference
    breaker_bps: Mapped[int | None] = mapped_column(Integer)  # a move this far within the window halts
    alert_bps: Mapped[int | None] = mapped_column(Integer)  # a move this far within the window raises an alert
    window_s: Mapped[int | None] = mapped_column(Integer)
    cooldown_s: Mapped[int | None] = mapped_column(Integer)
    feed_alert_bps: Mapped[int | None] = mapped_column(Integer)  # feed vs last trade: alert
    feed_halt_bps: Mapped[int | None] = mapped_column(Integer)  # feed vs last trade: halt
    max_order_base: Mapped[int | None] = mapped_column(Amount())
    max_order_notional: Mapped[int | None] = mapped_column(Amount())
    max_open_notional: Mapped[int | None] = mapped_column(Amount())  # per account, over its open orders here
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class MarketHalt(Base):
    """A market's current (or last) risk halt: cancels only until `until_ms`. Written by the engine host that
    owns the market (its one writer); `cleared_by` is set when staff end it early."""

    __tablename__ = "market_halts"

    market: Mapped[str] = mapped_column(String(32), ForeignKey("markets.name", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # breaker | feed | staff
    reason: Mapped[str] = mapped_column(String(500))
    reference: Mapped[int | None] = mapped_column(Amount())
    price: Mapped[int | None] = mapped_column(Amount())
    halted_at_ms: Mapped[int] = mapped_column(BigInteger)
    until_ms: Mapped[int] = mapped_column(BigInteger)
    cleared_by: Mapped[str | None] = mapped_column(String(320))


class WithdrawalPause(Base):
    """Withdrawals are paused while any row has no `cleared_at_ms` (a ledger/chain difference, say)."""

    __tablename__ = "withdrawal_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at_ms: Mapped[int] = mapped_column(BigInteger)
    cleared_by: Mapped[str | None] = mapped_column(String(320))
    cleared_reason: Mapped[str | None] = mapped_column(String(500))
    cleared_at_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)


class TravelRuleRecord(Base):
    """The originator and beneficiary (IVMS101 fields) sent with a withdrawal above the threshold.

    `retain_until_ms` is set by the wallet's deletion request (AML record keeping): the purge job removes the row
    after it (backend.accounts.privacy).
    """

    __tablename__ = "travel_rule_records"

    request_hash: Mapped[str] = mapped_column(
        String(66), ForeignKey("withdrawal_requests.hash", ondelete="CASCADE"), primary_key=True
    )
    originator: Mapped[dict[str, Any]] = mapped_column(JSON)
    beneficiary: Mapped[dict[str, Any]] = mapped_column(JSON)
    value: Mapped[int] = mapped_column(Amount())  # the withdrawal's value in the reference token
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    retain_until_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)


class MonitorCursor(Base):
    """How far a monitoring job has read (`name`: e.g. "aml.fills" -> the last fill id it looked at)."""

    __tablename__ = "monitor_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
