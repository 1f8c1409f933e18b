"""trading: each wallet's last bulk-cancel timestamp, kept across restarts against replays

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulk_cancel_stamps",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", name=op.f("pk_bulk_cancel_stamps")),
    )


def downgrade() -> None:
    op.drop_table("bulk_cancel_stamps")
