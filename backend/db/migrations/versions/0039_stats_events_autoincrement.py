"""stats_events: AUTOINCREMENT on SQLite, so that an id a deletion request freed is never handed out again (as
PostgreSQL's sequence never does; nothing changes there); the events cursor, an event id until now and a time
from now on, starts again (the next pass re-reads every event once: recomputing a day is idempotent);
account_profiles.deletion_requested_at_ms indexed (each pass reads the deletion requests since its cursor)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS_CURSOR = "stats.events"

cursors = sa.table("stats_cursors", sa.column("name", sa.String()))


def _autoincrement(on: bool) -> None:
    op.execute(cursors.delete().where(cursors.c.name == EVENTS_CURSOR))  # either way its value means another thing
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("stats_events", recreate="always", table_kwargs={"sqlite_autoincrement": on}):
        pass  # the table copied whole (rows and ids kept) into one created with the option


DELETIONS_INDEX = "ix_account_profiles_deletion_requested_at_ms"


def upgrade() -> None:
    _autoincrement(True)
    op.create_index(DELETIONS_INDEX, "account_profiles", ["deletion_requested_at_ms"])


def downgrade() -> None:
    op.drop_index(DELETIONS_INDEX, table_name="account_profiles")
    _autoincrement(False)
