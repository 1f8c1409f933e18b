"""staff_sign_in_failures: sign-in failures counted per e-mail and client (a wrong second factor per account)

A lock on the whole account let anyone who knew a member's e-mail keep that member out with a wrong password
an hour. The counts of the accounts and of the e-mails without one (staff_sign_in_misses) move here, keyed by
the client that failed; the old counts are dropped (at worst a lock ends early).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counts(table: str, *key: sa.Column[str]) -> None:
    op.create_table(
        table,
        *key,
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_failed_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*(column.name for column in key), name=op.f(f"pk_{table}")),
    )
    op.create_index(f"ix_{table}_last_failed_at_ms", table, ["last_failed_at_ms"])


def _drop_counts(table: str) -> None:
    op.drop_index(f"ix_{table}_last_failed_at_ms", table_name=table)
    op.drop_table(table)


def upgrade() -> None:
    _counts(
        "staff_sign_in_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
    )
    _drop_counts("staff_sign_in_misses")
    op.drop_column("staff_accounts", "locked_until_ms")
    op.drop_column("staff_accounts", "failed_attempts")


def downgrade() -> None:
    op.add_column("staff_accounts", sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("staff_accounts", sa.Column("locked_until_ms", sa.BigInteger(), nullable=True))
    _counts("staff_sign_in_misses", sa.Column("email", sa.String(length=254), nullable=False))
    _drop_counts("staff_sign_in_failures")
