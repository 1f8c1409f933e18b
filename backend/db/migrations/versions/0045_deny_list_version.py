"""deny_list_version: one row, a number every deny-list change raises in its own transaction, which screeners
compare to trust a cached decision (the entries' count and latest time stayed put when one entry went out and
another came in within a second)

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0045"
down_revision: str | None = "0044"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    version = op.create_table(
        "deny_list_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deny_list_version")),
    )
    # backend.compliance.store.DENY_LIST_VERSION_ID as of this migration; decisions cached before it were tagged
    # with the old "count@time" versions, which never equal a number: none of them is trusted after it.
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("deny_list_version")
