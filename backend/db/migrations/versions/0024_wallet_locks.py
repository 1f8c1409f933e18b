"""wallet_locks: one per-wallet lock table for every scope (withdrawal limits, support messages, forum posts),
in place of withdrawal_limit_locks

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_locks",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("takes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "wallet", name=op.f("pk_wallet_locks")),
    )
    # the old rows only counted checks: nothing in them needs keeping
    op.drop_table("withdrawal_limit_locks")


def downgrade() -> None:
    op.create_table(
        "withdrawal_limit_locks",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_withdrawal_limit_locks")),
    )
    op.drop_table("wallet_locks")
