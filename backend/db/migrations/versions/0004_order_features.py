"""trading: client order ids on orders; cancel-after deadlines

Revision ID: 0004
Revises: c003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "c003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("client_order_id", sa.String(length=36), nullable=True))
    # NULLs never collide (SQLite and PostgreSQL alike): orders without an id are not constrained
    op.create_index("ix_orders_maker_client_order_id", "orders", ["maker", "client_order_id"], unique=True)
    op.create_table(
        "cancel_after",
        sa.Column("wallet", sa.String(length=42), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("deadline_ms", sa.BigInteger(), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("wallet", "scope", name=op.f("pk_cancel_after")),
    )


def downgrade() -> None:
    op.drop_table("cancel_after")
    op.drop_index("ix_orders_maker_client_order_id", table_name="orders")
    op.drop_column("orders", "client_order_id")  # SQLite >= 3.35 drops a column in place
