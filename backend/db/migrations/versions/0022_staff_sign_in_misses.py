"""staff: failed sign-ins to e-mails without an active account, locked as an account's are

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sign_in_misses",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_failed_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_staff_sign_in_misses")),
    )
    op.create_index("ix_staff_sign_in_misses_last_failed_at_ms", "staff_sign_in_misses", ["last_failed_at_ms"])


def downgrade() -> None:
    op.drop_index("ix_staff_sign_in_misses_last_failed_at_ms", table_name="staff_sign_in_misses")
    op.drop_table("staff_sign_in_misses")
