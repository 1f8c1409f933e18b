"""compliance: sanctions lists, deny-list, screening audit

Revision ID: c001
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c001"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sanctions_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("address_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanctions_lists")),
    )
    op.create_table(
        "sanctioned_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["sanctions_lists.id"], name=op.f("fk_sanctioned_addresses_list_id_sanctions_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanctioned_addresses")),
    )
    op.create_index(op.f("ix_sanctioned_addresses_address"), "sanctioned_addresses", ["address"])
    op.create_index(op.f("ix_sanctioned_addresses_list_id"), "sanctioned_addresses", ["list_id"])
    op.create_table(
        "deny_list",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_deny_list")),
    )
    op.create_table(
        "screening_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("context", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("list_versions", sa.JSON(), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_audit")),
    )
    op.create_index(op.f("ix_screening_audit_address"), "screening_audit", ["address"])


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_audit_address"), table_name="screening_audit")
    op.drop_table("screening_audit")
    op.drop_table("deny_list")
    op.drop_index(op.f("ix_sanctioned_addresses_list_id"), table_name="sanctioned_addresses")
    op.drop_index(op.f("ix_sanctioned_addresses_address"), table_name="sanctioned_addresses")
    op.drop_table("sanctioned_addresses")
    op.drop_table("sanctions_lists")
