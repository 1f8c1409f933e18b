"""trading: a failed fill keeps the contract's whole error and says it in words

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # TradeSkipped now carries the error with its arguments: up to ~280 characters once named.
    with op.batch_alter_table("fills") as batch:
        batch.alter_column("failure", type_=sa.String(length=320), existing_type=sa.String(length=200))
        batch.add_column(sa.Column("failure_reason", sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fills") as batch:
        batch.drop_column("failure_reason")
        batch.alter_column("failure", type_=sa.String(length=200), existing_type=sa.String(length=320))
