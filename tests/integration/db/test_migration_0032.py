"""Migration 0032 gives each e-mail link the digest of the inbox it counts against (its address without the +tag;
a retired link, whose address is only a digest already, keeps that), on SQLite and PostgreSQL; its downgrade drops
the column."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from backend.accounts.email_links import email_digest, mailbox_digest
from backend.db import migrate
from backend.db.session import make_engine


def test_0032_counts_existing_links_per_inbox_and_downgrades(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0031")
    engine = make_engine(empty_database_url)
    retired = email_digest("gone@example.com")
    try:
        with engine.begin() as connection:
            for token, address, email in (
                ("a" * 64, "0x" + "11" * 20, "ada+exchange@example.com"),
                ("b" * 64, "retired", retired),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO account_email_verifications (token_hash, address, email, expires_at_ms) "
                        "VALUES (:token, :address, :email, 1)"
                    ),
                    {"token": token, "address": address, "email": email},
                )
        migrate.upgrade(empty_database_url, "0032")
        with engine.connect() as connection:
            query = sa.text("SELECT token_hash, mailbox FROM account_email_verifications")
            rows = {token: mailbox for token, mailbox in connection.execute(query)}
        assert rows == {"a" * 64: mailbox_digest("ada@example.com"), "b" * 64: retired}
        assert mailbox_digest("ada@example.com") == hashlib.sha256(b"ada@example.com").hexdigest()
        migrate.downgrade(empty_database_url, "0031")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("account_email_verifications")}
        assert "mailbox" not in columns
    finally:
        engine.dispose()
