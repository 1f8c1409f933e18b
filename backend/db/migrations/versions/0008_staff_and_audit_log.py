"""staff: accounts, recovery codes, sign-in challenges, sessions, password links; the audit log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64  # backend.audit_log.chain.GENESIS_HASH, copied: a migration never imports app code

# the tables of rows that belong to one member of staff
_STAFF_CHILDREN = ("staff_recovery_codes", "staff_sign_in_challenges", "staff_sessions", "staff_password_resets")


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("totp_enrolled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_accounts_email")),
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("used_at_ms", sa.BigInteger(), nullable=True),
        _staff_fk("staff_recovery_codes"),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_staff_recovery_codes")),
    )
    op.create_table(
        "staff_sign_in_challenges",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        _staff_fk("staff_sign_in_challenges"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sign_in_challenges")),
    )
    op.create_index(op.f("ix_staff_sign_in_challenges_expires_at_ms"), "staff_sign_in_challenges", ["expires_at_ms"])
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        _staff_fk("staff_sessions"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_expires_at_ms"), "staff_sessions", ["expires_at_ms"])
    op.create_table(
        "staff_password_resets",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        _staff_fk("staff_password_resets"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_password_resets")),
    )
    for table in _STAFF_CHILDREN:
        op.create_index(op.f(f"ix_{table}_staff_id"), table, ["staff_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=320), nullable=True),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    for column in ("at_ms", "actor", "action"):
        op.create_index(op.f(f"ix_audit_log_{column}"), "audit_log", [column])
    head = op.create_table(
        "audit_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])


def downgrade() -> None:
    op.drop_table("audit_log_head")
    for column in ("action", "actor", "at_ms"):
        op.drop_index(op.f(f"ix_audit_log_{column}"), table_name="audit_log")
    op.drop_table("audit_log")
    for table in reversed(_STAFF_CHILDREN):
        op.drop_index(op.f(f"ix_{table}_staff_id"), table_name=table)
    op.drop_index(op.f("ix_staff_sessions_expires_at_ms"), table_name="staff_sessions")
    op.drop_index(op.f("ix_staff_sign_in_challenges_expires_at_ms"), table_name="staff_sign_in_challenges")
    for table in reversed(_STAFF_CHILDREN):
        op.drop_table(table)
    op.drop_table("staff_accounts")


def _staff_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["staff_id"], ["staff_accounts.id"], name=op.f(f"fk_{table}_staff_id_staff_accounts")
    )
