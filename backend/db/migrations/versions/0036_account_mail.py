"""account_mail: the outbox of e-mails a wallet chose (fills, withdrawals, news); withdrawal_requests.noticed and
announcements.mailed_at_ms mark what is in it. What happened before this revision is not mailed: the fills cursor
starts at the last fill, finished withdrawals are noticed and started announcements mailed.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLS_CURSOR = "notices.fills"  # backend.notices.outbox.FILLS_CURSOR


def upgrade() -> None:
    op.create_table(
        "account_mail",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(120), nullable=False, unique=True),
        sa.Column("wallet", sa.String(42), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("sent_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
    )
    op.create_index("ix_account_mail_unsent", "account_mail", ["id"], postgresql_where=sa.text("sent_at_ms IS NULL"),
                    sqlite_where=sa.text("sent_at_ms IS NULL"))  # fmt: skip
    op.add_column("withdrawal_requests", sa.Column("noticed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE withdrawal_requests SET noticed = true WHERE status IN ('completed', 'failed')")
    op.create_index("ix_withdrawal_requests_unnoticed", "withdrawal_requests", ["status"],
                    postgresql_where=sa.text("noticed = false"), sqlite_where=sa.text("noticed = 0"))  # fmt: skip
    op.add_column("announcements", sa.Column("mailed_at_ms", sa.BigInteger(), nullable=True))
    now_ms = int(time.time() * 1000)
    op.execute(
        sa.text("UPDATE announcements SET mailed_at_ms = :now WHERE starts_at_ms <= :now").bindparams(now=now_ms)
    )
    cursors = sa.table("monitor_cursors", sa.column("name", sa.String), sa.column("value", sa.BigInteger))
    last_fill = op.get_bind().scalar(sa.text("SELECT MAX(id) FROM fills"))
    op.bulk_insert(cursors, [{"name": FILLS_CURSOR, "value": last_fill or 0}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM monitor_cursors WHERE name = :name").bindparams(name=FILLS_CURSOR))
    with op.batch_alter_table("announcements") as batch:
        batch.drop_column("mailed_at_ms")
    with op.batch_alter_table("withdrawal_requests") as batch:
        batch.drop_index("ix_withdrawal_requests_unnoticed")
        batch.drop_column("noticed")
    op.drop_index("ix_account_mail_unsent", table_name="account_mail")
    op.drop_table("account_mail")
