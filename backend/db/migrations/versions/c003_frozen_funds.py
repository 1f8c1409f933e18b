"""compliance: funds frozen off-chain after a blocked depositor's deposit

Revision ID: c003
Revises: c002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "c003"
down_revision: str | None = "c002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "frozen_funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_event_id", sa.Integer(), nullable=False),
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chain_event_id"], ["chain_events.id"], name=op.f("fk_frozen_funds_chain_event_id_chain_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_funds")),
        sa.UniqueConstraint("chain_event_id", name=op.f("uq_frozen_funds_chain_event_id")),
    )
    op.create_index(op.f("ix_frozen_funds_wallet"), "frozen_funds", ["wallet"])


def downgrade() -> None:
    op.drop_index(op.f("ix_frozen_funds_wallet"), table_name="frozen_funds")
    op.drop_table("frozen_funds")
