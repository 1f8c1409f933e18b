"""indexer: chain events found by name (the latest FeeScheduleSet caps every market's fees)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_chain_events_name", "chain_events", ["name", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_chain_events_name", table_name="chain_events")
