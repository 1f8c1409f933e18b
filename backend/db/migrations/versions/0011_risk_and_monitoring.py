"""risk and AML monitoring: the alert store's columns, cases and notes, market risk settings and halts,
withdrawal pauses, travel-rule records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.types import Amount

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=320), nullable=True),
        sa.Column("close_reason", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id"), "case_notes", ["case_id"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("dedup_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=16), server_default="open", nullable=False))
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("occurrences", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("created_at_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("last_seen_at_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("delivered_at_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("deliveries", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("delivery_attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("next_delivery_at_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("delivery_error", sa.String(length=500), nullable=True))
        batch.create_foreign_key(batch.f("fk_alerts_case_id_cases"), "cases", ["case_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_alerts_dedup_key_status", ["dedup_key", "status"])
        batch.create_index("ix_alerts_undelivered", ["delivered_at_ms"])
    # alerts written before this revision were delivered the only way there was: the log
    op.execute("UPDATE alerts SET delivered_at_ms = 0")
    op.create_table(
        "market_risk",
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("band_bps", sa.Integer(), nullable=True),
        sa.Column("breaker_bps", sa.Integer(), nullable=True),
        sa.Column("alert_bps", sa.Integer(), nullable=True),
        sa.Column("window_s", sa.Integer(), nullable=True),
        sa.Column("cooldown_s", sa.Integer(), nullable=True),
        sa.Column("feed_alert_bps", sa.Integer(), nullable=True),
        sa.Column("feed_halt_bps", sa.Integer(), nullable=True),
        sa.Column("max_order_base", Amount(), nullable=True),
        sa.Column("max_order_notional", Amount(), nullable=True),
        sa.Column("max_open_notional", Amount(), nullable=True),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["market"], ["markets.name"], name=op.f("fk_market_risk_market_markets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("market", name=op.f("pk_market_risk")),
    )
    op.create_table(
        "market_halts",
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reference", Amount(), nullable=True),
        sa.Column("price", Amount(), nullable=True),
        sa.Column("halted_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=False),
        sa.Column("cleared_by", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["market"], ["markets.name"], name=op.f("fk_market_halts_market_markets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("market", name=op.f("pk_market_halts")),
    )
    op.create_table(
        "withdrawal_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("raised_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("cleared_by", sa.String(length=320), nullable=True),
        sa.Column("cleared_reason", sa.String(length=500), nullable=True),
        sa.Column("cleared_at_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withdrawal_pauses")),
    )
    op.create_index(op.f("ix_withdrawal_pauses_cleared_at_ms"), "withdrawal_pauses", ["cleared_at_ms"])
    op.create_table(
        "travel_rule_records",
        sa.Column("request_hash", sa.String(length=66), nullable=False),
        sa.Column("originator", sa.JSON(), nullable=False),
        sa.Column("beneficiary", sa.JSON(), nullable=False),
        sa.Column("value", Amount(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_hash"],
            ["withdrawal_requests.hash"],
            name=op.f("fk_travel_rule_records_request_hash_withdrawal_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_hash", name=op.f("pk_travel_rule_records")),
    )
    # monitoring jobs' read positions (backend.monitoring.aml)
    op.create_table(
        "monitor_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_monitor_cursors")),
    )


def downgrade() -> None:
    op.drop_table("monitor_cursors")
    op.drop_table("travel_rule_records")
    op.drop_index(op.f("ix_withdrawal_pauses_cleared_at_ms"), table_name="withdrawal_pauses")
    op.drop_table("withdrawal_pauses")
    op.drop_table("market_halts")
    op.drop_table("market_risk")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_undelivered")
        batch.drop_index("ix_alerts_dedup_key_status")
        batch.drop_constraint(batch.f("fk_alerts_case_id_cases"), type_="foreignkey")
        for column in (
            "delivery_error", "next_delivery_at_ms", "delivery_attempts", "deliveries",
            "delivered_at_ms", "last_seen_at_ms", "created_at_ms", "occurrences", "case_id", "status", "dedup_key",
            "subject",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_index(op.f("ix_case_notes_case_id"), table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_table("cases")
