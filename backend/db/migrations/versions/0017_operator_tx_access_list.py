"""relayer: the EIP-2930 access list an operator transaction is signed with (kept for its replacements)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operator_txs") as batch:
        # Transactions signed before this revision had none.
        batch.add_column(sa.Column("access_list", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("operator_txs") as batch:
        batch.drop_column("access_list")
