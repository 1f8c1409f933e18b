"""Migration 0009 (accounts and KYC) goes up and down on SQLite and PostgreSQL, with rows in its tables."""

from __future__ import annotations

from sqlalchemy import inspect, text

from backend.db import migrate
from backend.db.session import make_engine

TABLES = {"account_profiles", "account_email_verifications", "kyc_submissions", "kyc_documents", "kyc_webhook_events"}


def test_0009_creates_the_accounts_tables_and_its_downgrade_removes_them(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0009")
    engine = make_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO kyc_submissions (id, address, level, status, submitted_at_ms) "
                "VALUES (1, '0x' || 'ab', 2, 'pending', 1)"
            ))  # fmt: skip
            connection.execute(text(
                "INSERT INTO kyc_documents (submission_id, kind, content_type, size, sha256, storage_key) "
                "VALUES (1, 'identity', 'image/png', 1, 'x', 'kyc/a')"
            ))  # fmt: skip
        migrate.downgrade(empty_database_url, "0008")
        assert migrate.current_revision(engine) == "0008"
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(empty_database_url, "0009")
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
