"""accounts: wallet profiles, e-mail verification links, KYC submissions and documents, vendor webhook events

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_profiles",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("notify_fills", sa.Boolean(), nullable=False),
        sa.Column("notify_withdrawals", sa.Boolean(), nullable=False),
        sa.Column("notify_news", sa.Boolean(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("deletion_requested_at_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_account_profiles")),
    )
    op.create_index(op.f("ix_account_profiles_email"), "account_profiles", ["email"])
    op.create_table(
        "account_email_verifications",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_email_verifications")),
    )
    op.create_index(op.f("ix_account_email_verifications_address"), "account_email_verifications", ["address"])
    op.create_table(
        "kyc_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("submitted_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("reviewed_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("reviewer", sa.String(length=320), nullable=True),
        sa.Column("retain_until_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kyc_submissions")),
    )
    for column in ("address", "status", "retain_until_ms"):
        op.create_index(op.f(f"ix_kyc_submissions_{column}"), "kyc_submissions", [column])
    op.create_table(
        "kyc_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["kyc_submissions.id"], name=op.f("fk_kyc_documents_submission_id_kyc_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kyc_documents")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_kyc_documents_storage_key")),
    )
    op.create_index(op.f("ix_kyc_documents_submission_id"), "kyc_documents", ["submission_id"])
    op.create_table(
        "kyc_webhook_events",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("received_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_kyc_webhook_events")),
    )
    op.create_index(op.f("ix_kyc_webhook_events_received_at_ms"), "kyc_webhook_events", ["received_at_ms"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kyc_webhook_events_received_at_ms"), table_name="kyc_webhook_events")
    op.drop_table("kyc_webhook_events")
    op.drop_index(op.f("ix_kyc_documents_submission_id"), table_name="kyc_documents")
    op.drop_table("kyc_documents")
    for column in ("retain_until_ms", "status", "address"):
        op.drop_index(op.f(f"ix_kyc_submissions_{column}"), table_name="kyc_submissions")
    op.drop_table("kyc_submissions")
    op.drop_index(op.f("ix_account_email_verifications_address"), table_name="account_email_verifications")
    op.drop_table("account_email_verifications")
    op.drop_index(op.f("ix_account_profiles_email"), table_name="account_profiles")
    op.drop_table("account_profiles")
