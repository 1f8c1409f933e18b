"""alerts: at most one alert that is not closed per dedup_key (a unique partial index), so that two writers raising
the same cause at once count one alert instead of opening two; duplicates already stored are resolved first

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status <> 'closed'"


def upgrade() -> None:
    _release_duplicate_keys()
    op.drop_index("ix_alerts_dedup_key_status", table_name="alerts")
    op.create_index(
        "ux_alerts_open_dedup_key", "alerts", ["dedup_key"], unique=True,
        postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN),
    )  # fmt: skip


def _release_duplicate_keys() -> None:
    """Of the open alerts sharing a key, the first raised keeps it (later occurrences count on it); the others
    keep everything else (status, case, occurrences) and give the key up: staff still see and work them."""
    op.execute(
        f"UPDATE alerts SET dedup_key = NULL WHERE {_OPEN} AND dedup_key IS NOT NULL AND id > ("
        f"SELECT MIN(kept.id) FROM alerts AS kept WHERE kept.dedup_key = alerts.dedup_key AND kept.{_OPEN})"
    )


def downgrade() -> None:
    op.drop_index("ux_alerts_open_dedup_key", table_name="alerts")
    op.create_index("ix_alerts_dedup_key_status", "alerts", ["dedup_key", "status"])
