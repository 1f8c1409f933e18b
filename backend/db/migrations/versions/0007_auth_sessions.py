"""auth: sign-in with Ethereum nonces and wallet sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_auth_nonces")),
    )
    op.create_index(op.f("ix_auth_nonces_expires_at_ms"), "auth_nonces", ["expires_at_ms"])
    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_auth_sessions")),
    )
    op.create_index(op.f("ix_auth_sessions_address"), "auth_sessions", ["address"])
    op.create_index(op.f("ix_auth_sessions_expires_at_ms"), "auth_sessions", ["expires_at_ms"])


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_sessions_expires_at_ms"), table_name="auth_sessions")
    op.drop_index(op.f("ix_auth_sessions_address"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_index(op.f("ix_auth_nonces_expires_at_ms"), table_name="auth_nonces")
    op.drop_table("auth_nonces")
