"""limits: staff overrides of a wallet's tier limits, withdrawal valuations, the per-wallet limit lock

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "limit_overrides",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("withdrawal_daily", Amount(), nullable=True),
        sa.Column("withdrawal_30d", Amount(), nullable=True),
        sa.Column("max_order_notional", Amount(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_limit_overrides")),
    )
    op.create_table(
        "withdrawal_valuations",
        sa.Column("request_hash", sa.String(length=66), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("value", Amount(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_hash"],
            ["withdrawal_requests.hash"],
            name=op.f("fk_withdrawal_valuations_request_hash_withdrawal_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_hash", name=op.f("pk_withdrawal_valuations")),
    )
    op.create_index("ix_withdrawal_valuations_wallet_created", "withdrawal_valuations", ["wallet", "created_at_ms"])
    op.create_table(
        "withdrawal_limit_locks",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_withdrawal_limit_locks")),
    )


def downgrade() -> None:
    op.drop_table("withdrawal_limit_locks")
    op.drop_index("ix_withdrawal_valuations_wallet_created", table_name="withdrawal_valuations")
    op.drop_table("withdrawal_valuations")
    op.drop_table("limit_overrides")
