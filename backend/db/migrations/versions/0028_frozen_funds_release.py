"""frozen_funds.released_by and release_reason: who released a frozen deposit, and why

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("frozen_funds") as batch:
        batch.add_column(sa.Column("released_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("release_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("frozen_funds") as batch:
        batch.drop_column("release_reason")
        batch.drop_column("released_by")
