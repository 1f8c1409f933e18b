"""trading: markets, orders, fills, reservations, engine cursors

Revision ID: 0003
Revises: c001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0003"
down_revision: str | None = "c001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "markets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("base_token", sa.String(length=42), nullable=False),
        sa.Column("quote_token", sa.String(length=42), nullable=False),
        sa.Column("base_symbol", sa.String(length=16), nullable=False),
        sa.Column("quote_symbol", sa.String(length=16), nullable=False),
        sa.Column("base_decimals", sa.Integer(), nullable=False),
        sa.Column("quote_decimals", sa.Integer(), nullable=False),
        sa.Column("tick_size", Amount(), nullable=False),
        sa.Column("lot_size", Amount(), nullable=False),
        sa.Column("min_notional", Amount(), nullable=False),
        sa.Column("maker_fee_rate", sa.Integer(), nullable=False),
        sa.Column("taker_fee_rate", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_markets")),
        sa.UniqueConstraint("base_token", "quote_token", name=op.f("uq_markets_base_token")),
    )
    op.create_table(
        "orders",
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("market", sa.String(length=40), nullable=False),
        sa.Column("maker", sa.String(length=42), nullable=False),
        sa.Column("side", sa.Integer(), nullable=False),
        sa.Column("base_amount", Amount(), nullable=False),
        sa.Column("limit_price", Amount(), nullable=False),
        sa.Column("trigger_price", Amount(), nullable=False),
        sa.Column("max_fee_rate", sa.BigInteger(), nullable=False),
        sa.Column("nonce", Amount(), nullable=False),
        sa.Column("expiry", Amount(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.String(length=132), nullable=False),
        sa.Column("time_in_force", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filled", Amount(), nullable=False),
        sa.Column("reserved", Amount(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_orders")),
        sa.UniqueConstraint("seq", name=op.f("uq_orders_seq")),
    )
    op.create_index("ix_orders_maker_seq", "orders", ["maker", "seq"], unique=False)
    op.create_index("ix_orders_status_expires", "orders", ["status", "expires_at"], unique=False)
    op.create_table(
        "fills",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("market", sa.String(length=40), nullable=False),
        sa.Column("maker_order_hash", sa.String(length=66), nullable=False),
        sa.Column("taker_order_hash", sa.String(length=66), nullable=False),
        sa.Column("maker", sa.String(length=42), nullable=False),
        sa.Column("taker", sa.String(length=42), nullable=False),
        sa.Column("maker_side", sa.Integer(), nullable=False),
        sa.Column("price", Amount(), nullable=False),
        sa.Column("base_amount", Amount(), nullable=False),
        sa.Column("quote_amount", Amount(), nullable=False),
        sa.Column("maker_fee", Amount(), nullable=False),
        sa.Column("taker_fee", Amount(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fills")),
    )
    op.create_index("ix_fills_market_id", "fills", ["market", "id"], unique=False)
    op.create_index("ix_fills_maker_id", "fills", ["maker", "id"], unique=False)
    op.create_index("ix_fills_taker_id", "fills", ["taker", "id"], unique=False)
    op.create_index("ix_fills_status_id", "fills", ["status", "id"], unique=False)
    op.create_table(
        "reservations",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", "token", name=op.f("pk_reservations")),
    )
    op.create_table(
        "trading_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_trading_cursors")),
    )


def downgrade() -> None:
    op.drop_table("trading_cursors")
    op.drop_table("reservations")
    op.drop_index("ix_fills_status_id", table_name="fills")
    op.drop_index("ix_fills_taker_id", table_name="fills")
    op.drop_index("ix_fills_maker_id", table_name="fills")
    op.drop_index("ix_fills_market_id", table_name="fills")
    op.drop_table("fills")
    op.drop_index("ix_orders_status_expires", table_name="orders")
    op.drop_index("ix_orders_maker_seq", table_name="orders")
    op.drop_table("orders")
    op.drop_table("markets")
