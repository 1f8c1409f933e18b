"""Migration 0040 gives every profile a language, English (as its mails were), and its downgrade takes it away."""

from __future__ import annotations

from sqlalchemy import inspect, text

from backend.db import migrate
from backend.db.session import make_engine

PROFILE = (
    "INSERT INTO account_profiles (address, email, email_verified, notify_fills, notify_withdrawals, notify_news, "
    "level, created_at_ms) VALUES ('0x' || 'ab', 'ada@example.com', true, true, true, false, 1, 1)"
)


def _columns(engine: object) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("account_profiles")}


def test_0040_gives_the_profiles_there_are_english_and_its_downgrade_removes_the_language(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0039")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(PROFILE))
        migrate.upgrade(empty_database_url, "0040")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT language, email FROM account_profiles")).one() == (
                "en", "ada@example.com",
            )  # fmt: skip
        migrate.downgrade(empty_database_url, "0039")
        assert "language" not in _columns(engine)
        with engine.connect() as connection:  # the rest of the row stays
            assert connection.execute(text("SELECT email, level FROM account_profiles")).one() == ("ada@example.com", 1)
    finally:
        engine.dispose()
