"""withdrawal_requests (recipient, updated_at_ms): whether a recipient reverted a withdrawal lately, by index

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_withdrawal_requests_recipient", "withdrawal_requests", ["recipient", "updated_at_ms"])


def downgrade() -> None:
    op.drop_index("ix_withdrawal_requests_recipient", table_name="withdrawal_requests")
