"""statistics rollups (per market, per token, per wallet and day; the rollup cursors)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_market_days",
        sa.Column("market", sa.String(length=40), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("trades", sa.Integer(), nullable=False),
        sa.Column("traders", sa.Integer(), nullable=False),
        sa.Column("base_volume", Amount(), nullable=False),
        sa.Column("quote_volume", Amount(), nullable=False),
        sa.Column("taker_buy_base", Amount(), nullable=False),
        sa.Column("taker_sell_base", Amount(), nullable=False),
        sa.Column("maker_fee_base", Amount(), nullable=False),
        sa.Column("maker_fee_quote", Amount(), nullable=False),
        sa.Column("taker_fee_base", Amount(), nullable=False),
        sa.Column("taker_fee_quote", Amount(), nullable=False),
        sa.Column("failed_trades", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("market", "day", name=op.f("pk_stats_market_days")),
    )
    op.create_table(
        "stats_token_days",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("deposits", sa.Integer(), nullable=False),
        sa.Column("deposit_amount", Amount(), nullable=False),
        sa.Column("withdrawals", sa.Integer(), nullable=False),
        sa.Column("withdrawal_amount", Amount(), nullable=False),
        sa.Column("net_flow", Amount(), nullable=False),
        sa.Column("value_locked", Amount(), nullable=True),
        sa.PrimaryKeyConstraint("token", "day", name=op.f("pk_stats_token_days")),
    )
    op.create_table(
        "stats_wallets",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("first_seen_ms", sa.BigInteger(), nullable=False),
        sa.Column("connected_ms", sa.BigInteger(), nullable=True),
        sa.Column("signed_in_ms", sa.BigInteger(), nullable=True),
        sa.Column("deposited_ms", sa.BigInteger(), nullable=True),
        sa.Column("traded_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_stats_wallets")),
    )
    op.create_table(
        "stats_wallet_days",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("traded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", "day", name=op.f("pk_stats_wallet_days")),
    )
    op.create_index("ix_stats_wallet_days_day", "stats_wallet_days", ["day"])
    op.create_table(
        "stats_user_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("new_wallets", sa.Integer(), nullable=False),
        sa.Column("connected", sa.Integer(), nullable=False),
        sa.Column("signed_in", sa.Integer(), nullable=False),
        sa.Column("deposited", sa.Integer(), nullable=False),
        sa.Column("traded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_stats_user_days")),
    )
    op.create_table(
        "stats_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_events")),
        sa.UniqueConstraint("wallet", "event", "created_at_ms", name=op.f("uq_stats_events_wallet")),
    )
    op.create_index("ix_stats_events_wallet", "stats_events", ["wallet"])
    op.create_table(
        "stats_chain_balances",
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("read_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token", "day", name=op.f("pk_stats_chain_balances")),
    )
    op.create_table(
        "stats_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stats_cursors")),
    )


def downgrade() -> None:
    op.drop_table("stats_cursors")
    op.drop_table("stats_chain_balances")
    op.drop_index("ix_stats_events_wallet", table_name="stats_events")
    op.drop_table("stats_events")
    op.drop_table("stats_user_days")
    op.drop_index("ix_stats_wallet_days_day", table_name="stats_wallet_days")
    op.drop_table("stats_wallet_days")
    op.drop_table("stats_wallets")
    op.drop_table("stats_token_days")
    op.drop_table("stats_market_days")
