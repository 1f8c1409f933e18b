"""accounts: travel-rule records kept for the AML retention period after a deletion request, then purged

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("travel_rule_records") as batch:
        batch.add_column(sa.Column("retain_until_ms", sa.BigInteger(), nullable=True))
        batch.create_index(op.f("ix_travel_rule_records_retain_until_ms"), ["retain_until_ms"])


def downgrade() -> None:
    with op.batch_alter_table("travel_rule_records") as batch:
        batch.drop_index(op.f("ix_travel_rule_records_retain_until_ms"))
        batch.drop_column("retain_until_ms")
