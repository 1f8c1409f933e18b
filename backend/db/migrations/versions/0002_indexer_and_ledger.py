"""indexer cursor, blocks and events; double-entry ledger; alerts; leases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _created(name: str = "created_at") -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "chain_cursors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("last_block", sa.BigInteger(), nullable=False),
        sa.Column("final_block", sa.BigInteger(), nullable=False),
        sa.Column("reorgs", sa.Integer(), nullable=False),
        _created("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_cursors")),
        sa.UniqueConstraint("chain_id", "contract", name=op.f("uq_chain_cursors_chain_id")),
    )
    op.create_table(
        "chain_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_blocks")),
        sa.UniqueConstraint("chain_id", "number", name=op.f("uq_chain_blocks_chain_id")),
    )
    op.create_table(
        "chain_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _created("seen_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_events")),
        sa.UniqueConstraint(
            "chain_id", "tx_hash", "log_index", "block_hash", name=op.f("uq_chain_events_chain_id")
        ),
    )
    op.create_index(
        "ix_chain_events_status_block", "chain_events", ["chain_id", "status", "block_number"], unique=False
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("chain_event_id", sa.Integer(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        _created(),
        sa.ForeignKeyConstraint(
            ["chain_event_id"],
            ["chain_events.id"],
            name=op.f("fk_ledger_transactions_chain_event_id_chain_events"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_transactions_reverses_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("reference", name=op.f("uq_ledger_transactions_reference")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_entries_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index("ix_ledger_entries_account_token", "ledger_entries", ["account", "token"], unique=False)
    op.create_index(
        op.f("ix_ledger_entries_transaction_id"), "ledger_entries", ["transaction_id"], unique=False
    )
    op.create_table(
        "ledger_balances",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=42), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.PrimaryKeyConstraint("account", "token", name=op.f("pk_ledger_balances")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("alerts")
    op.drop_table("ledger_balances")
    op.drop_index(op.f("ix_ledger_entries_transaction_id"), table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_account_token", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_transactions")
    op.drop_index("ix_chain_events_status_block", table_name="chain_events")
    op.drop_table("chain_events")
    op.drop_table("chain_blocks")
    op.drop_table("chain_cursors")
