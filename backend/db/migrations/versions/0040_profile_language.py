"""account_profiles.language: the language of a wallet's e-mails (en or zh-CN), set by the dApp from its own; every
profile made before this revision speaks English, as its mails did

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the server default fills the rows there are (and any a previous release's code inserts during a rollout)
    op.add_column(
        "account_profiles", sa.Column("language", sa.String(8), nullable=False, server_default=sa.text("'en'"))
    )


def downgrade() -> None:
    with op.batch_alter_table("account_profiles") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("language")
