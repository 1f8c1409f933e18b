"""monitoring: each withdrawal request marked once the AML job looked at it (requests commit out of time order)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("withdrawal_requests") as batch:
        batch.add_column(sa.Column("aml_checked", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_withdrawal_requests_aml_checked", ["aml_checked", "created_at_ms"])
    # What the job's time cursor had passed counts as looked at; the cursor itself is no longer used.
    op.execute(
        "UPDATE withdrawal_requests SET aml_checked = true WHERE created_at_ms <= "
        "COALESCE((SELECT value FROM monitor_cursors WHERE name = 'aml.withdrawals'), -1)"
    )
    op.execute("DELETE FROM monitor_cursors WHERE name = 'aml.withdrawals'")


def downgrade() -> None:
    with op.batch_alter_table("withdrawal_requests") as batch:
        batch.drop_index("ix_withdrawal_requests_aml_checked")
        batch.drop_column("aml_checked")
