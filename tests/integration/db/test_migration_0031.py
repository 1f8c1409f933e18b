"""Migration 0031 moves sign-in failures to staff_sign_in_failures (per e-mail and client) on SQLite and PostgreSQL,
dropping the account's counters and staff_sign_in_misses; its downgrade brings them back, empty."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine


def test_0031_moves_the_failure_counts_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0031")
    engine = make_engine(empty_database_url)
    try:
        inspector = sa.inspect(engine)
        assert {"staff_sign_in_failures"} <= set(inspector.get_table_names())
        assert "staff_sign_in_misses" not in inspector.get_table_names()
        assert {"failed_attempts", "locked_until_ms"}.isdisjoint(
            c["name"] for c in inspector.get_columns("staff_accounts")
        )
        assert inspector.get_pk_constraint("staff_sign_in_failures")["constrained_columns"] == ["email", "client"]
        migrate.downgrade(empty_database_url, "0030")
        inspector = sa.inspect(engine)
        assert "staff_sign_in_failures" not in inspector.get_table_names()
        assert "staff_sign_in_misses" in inspector.get_table_names()
        assert {"failed_attempts", "locked_until_ms"} <= {c["name"] for c in inspector.get_columns("staff_accounts")}
    finally:
        engine.dispose()
