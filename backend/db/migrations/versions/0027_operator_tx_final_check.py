"""operator_txs.final_check_due: confirmed settlement batches the relayer still compares with the final chain

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("operator_txs", sa.Column("final_check_due", sa.Boolean(), server_default=sa.false(), nullable=False))
    # The confirmed batches whose fills still wait for final events are compared once; the rest are history.
    op.execute(
        "UPDATE operator_txs SET final_check_due = true WHERE kind = 'settle' AND status = 'confirmed' AND id IN ("
        "SELECT s.operator_tx_id FROM settlement_items s JOIN fills f ON f.id = s.fill_id WHERE f.released = false)"
    )
    op.create_index(
        "ix_operator_txs_final_check_due", "operator_txs", ["id"],
        postgresql_where=sa.text("final_check_due = true"), sqlite_where=sa.text("final_check_due = 1"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_operator_txs_final_check_due", table_name="operator_txs")
    # Not a batch (a copy of the table): settlement_items' foreign key would refuse its drop on SQLite.
    op.drop_column("operator_txs", "final_check_due")
