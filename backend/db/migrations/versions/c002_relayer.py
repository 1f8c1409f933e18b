"""relayer: operator transactions, settlement items, withdrawal requests

Revision ID: c002
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "c002"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_txs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("to", sa.String(length=42), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("gas_limit", sa.BigInteger(), nullable=False),
        sa.Column("max_fee_per_gas", Amount(), nullable=False),
        sa.Column("max_priority_fee_per_gas", Amount(), nullable=False),
        sa.Column("raw_tx", sa.Text(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("mined_hash", sa.String(length=66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_txs")),
        sa.UniqueConstraint("chain_id", "reference", name=op.f("uq_operator_txs_chain_id")),
    )
    op.create_index("ix_operator_txs_status", "operator_txs", ["chain_id", "status"])
    op.create_table(
        "settlement_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_tx_id", sa.Integer(), nullable=False),
        sa.Column("trade_index", sa.Integer(), nullable=False),
        sa.Column("fill_id", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_tx_id"],
            ["operator_txs.id"],
            name=op.f("fk_settlement_items_operator_tx_id_operator_txs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_items")),
        sa.UniqueConstraint("operator_tx_id", "trade_index", name=op.f("uq_settlement_items_operator_tx_id")),
    )
    op.create_index(op.f("ix_settlement_items_fill_id"), "settlement_items", ["fill_id"])
    op.create_index(op.f("ix_settlement_items_operator_tx_id"), "settlement_items", ["operator_tx_id"])
    op.create_table(
        "withdrawal_requests",
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("max_fee", Amount(), nullable=False),
        sa.Column("fee", Amount(), nullable=False),
        sa.Column("recipient", sa.String(length=42), nullable=False),
        sa.Column("nonce", Amount(), nullable=False),
        sa.Column("expiry", Amount(), nullable=False),
        sa.Column("signature", sa.String(length=132), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_withdrawal_requests")),
    )
    op.create_index("ix_withdrawal_requests_status", "withdrawal_requests", ["status"])
    op.create_index("ix_withdrawal_requests_wallet", "withdrawal_requests", ["wallet"])


def downgrade() -> None:
    op.drop_index("ix_withdrawal_requests_wallet", table_name="withdrawal_requests")
    op.drop_index("ix_withdrawal_requests_status", table_name="withdrawal_requests")
    op.drop_table("withdrawal_requests")
    op.drop_index(op.f("ix_settlement_items_operator_tx_id"), table_name="settlement_items")
    op.drop_index(op.f("ix_settlement_items_fill_id"), table_name="settlement_items")
    op.drop_table("settlement_items")
    op.drop_index("ix_operator_txs_status", table_name="operator_txs")
    op.drop_table("operator_txs")
