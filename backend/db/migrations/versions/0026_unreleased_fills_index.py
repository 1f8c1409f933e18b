"""fills: a partial index of the unreleased fills, which every engine sync reads among every fill ever made

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_fills_unreleased_id", "fills", ["id"],
        postgresql_where=sa.text("released = false"), sqlite_where=sa.text("released = 0"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_fills_unreleased_id", table_name="fills")
