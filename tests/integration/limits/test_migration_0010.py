"""Migration 0010 adds the limits' tables on 0009 and takes them away again, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from backend.db import migrate
from backend.db.session import make_engine

TABLES = {"limit_overrides", "withdrawal_valuations", "withdrawal_limit_locks"}


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_0010_adds_the_limits_tables_and_its_downgrade_removes_only_them(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0009")
    at_0009 = tables(empty_database_url)
    assert not TABLES & at_0009
    migrate.upgrade(empty_database_url, "0010")
    assert tables(empty_database_url) == at_0009 | TABLES
    migrate.downgrade(empty_database_url, "0009")
    assert tables(empty_database_url) == at_0009
    migrate.upgrade(empty_database_url, "0010")
    assert tables(empty_database_url) >= TABLES
