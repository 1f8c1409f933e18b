"""Migration 0033 indexes withdrawal requests by recipient and time, on SQLite and PostgreSQL; its downgrade drops
the index."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine


def test_0033_indexes_withdrawals_by_recipient_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0033")
    engine = make_engine(empty_database_url)
    try:
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("withdrawal_requests")}
        assert indexes["ix_withdrawal_requests_recipient"] == ["recipient", "updated_at_ms"]
        migrate.downgrade(empty_database_url, "0032")
        names = {i["name"] for i in sa.inspect(engine).get_indexes("withdrawal_requests")}
        assert "ix_withdrawal_requests_recipient" not in names
    finally:
        engine.dispose()
