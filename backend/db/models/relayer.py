"""The relayer's persisted state: every operator transaction, written before it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base
from backend.db.types import Amount


class OperatorTx(Base):
    """One operator transaction (a settlement batch or a relayed withdrawal) and its attempts.

    status: signed (persisted, maybe not yet sent) -> submitted -> confirmed | failed | dropped.
    Every attempt reuses `nonce`, so at most one of them can ever be mined. `final_check_due`: a confirmed
    settlement batch not yet compared with the final chain (relayer.settlement `check_final`).
    """

    __tablename__ = "operator_txs"
    __table_args__ = (
        UniqueConstraint("chain_id", "reference"),
        Index("ix_operator_txs_status", "chain_id", "status"),
        # the few batches the relayer compares with the final chain each round, among every one ever sent
        Index(
            "ix_operator_txs_final_check_due",
            "id",
            postgresql_where=text("final_check_due = true"),
            sqlite_where=text("final_check_due = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))  # settle | withdraw
    reference: Mapped[str] = mapped_column(String(200))
    sender: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[int] = mapped_column(BigInteger)
    to: Mapped[str] = mapped_column(String(42))
    data: Mapped[str] = mapped_column(Text)
    gas_limit: Mapped[int] = mapped_column(BigInteger)
    # EIP-2930 entries ({"address", "storageKeys"}) every attempt is signed with; empty: none.
    access_list: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    max_fee_per_gas: Mapped[int] = mapped_column(Amount())
    max_priority_fee_per_gas: Mapped[int] = mapped_column(Amount())
    raw_tx: Mapped[str] = mapped_column(Text)  # the latest attempt, signed
    tx_hash: Mapped[str] = mapped_column(String(66))  # the latest attempt
    hashes: Mapped[list[str]] = mapped_column(JSON)  # every attempt, oldest first
    status: Mapped[str] = mapped_column(String(16))
    mined_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    final_check_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SettlementItem(Base):
    """One fill inside a settlement batch, in trade order; its outcome once the batch is mined."""

    __tablename__ = "settlement_items"
    __table_args__ = (UniqueConstraint("operator_tx_id", "trade_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_tx_id: Mapped[int] = mapped_column(ForeignKey("operator_txs.id"), index=True)
    trade_index: Mapped[int] = mapped_column(Integer)
    fill_id: Mapped[int] = mapped_column(BigInteger, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))  # settled | skipped | None while in flight
    reason: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WithdrawalRequest(Base):
    """A user-signed withdrawal accepted by the API and relayed by the operator.

    status: accepted -> relaying -> relayed (mined) -> completed (the indexer saw Withdrawn final),
    or failed (reverted, dropped, expired). Its amount is held in the reservations until it ends.
    """

    __tablename__ = "withdrawal_requests"
    __table_args__ = (
        Index("ix_withdrawal_requests_status", "status"),
        Index("ix_withdrawal_requests_wallet", "wallet"),
        Index("ix_withdrawal_requests_recipient", "recipient", "updated_at_ms"),
        Index("ix_withdrawal_requests_aml_checked", "aml_checked", "created_at_ms"),
        Index(
            "ix_withdrawal_requests_unnoticed",
            "status",
            postgresql_where=text("noticed = false"),
            sqlite_where=text("noticed = 0"),
        ),
    )

    hash: Mapped[str] = mapped_column(String(66), primary_key=True)  # EIP-712 digest of the Withdrawal
    wallet: Mapped[str] = mapped_column(String(42))
    token: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount())
    max_fee: Mapped[int] = mapped_column(Amount())
    fee: Mapped[int] = mapped_column(Amount())  # what the operator charges, <= max_fee
    recipient: Mapped[str] = mapped_column(String(42))
    nonce: Mapped[int] = mapped_column(Amount())
    expiry: Mapped[int] = mapped_column(Amount())
    signature: Mapped[bytes] = mapped_column(LargeBinary(65))  # r || s || v, as the contract takes it
    status: Mapped[str] = mapped_column(String(16))
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    failure: Mapped[str | None] = mapped_column(String(200))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    # the AML job looked at it: requests commit out of their time order (stamped, then waiting for the wallet's
    # lock), so a time cursor would pass over one that commits late
    aml_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # its outcome (completed or failed) is in the account-mail outbox, or was not wanted (`backend.notices`)
    noticed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
