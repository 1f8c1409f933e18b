"""Migration 0029 renders every stored support message once into `body_html` (on SQLite and PostgreSQL), as a
message written since is rendered when written; its downgrade drops the column."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine
from backend.markup import render

BODIES = ["Hello **there**", "<script>alert(1)</script> and [a link](https://example.com)"]


def test_0029_renders_the_stored_messages(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0028")
    engine = make_engine(empty_database_url)
    try:
        tickets, messages = (sa.Table(n, sa.MetaData(), autoload_with=engine)
                             for n in ("support_tickets", "support_messages"))  # fmt: skip
        with engine.begin() as connection:
            connection.execute(tickets.insert(), [{
                "id": 1, "address": "0x" + "0a" * 20, "category": "account", "subject": "help", "status": "open",
                "assignee": None, "created_at_ms": 1, "updated_at_ms": 1, "first_response_at_ms": None,
                "resolved_at_ms": None,
            }])  # fmt: skip
            connection.execute(messages.insert(), [
                {"id": n, "ticket_id": 1, "kind": "user", "author": "wallet:x", "body": body, "created_at_ms": n}
                for n, body in enumerate(BODIES, start=1)
            ])  # fmt: skip
        migrate.upgrade(empty_database_url, "0029")
        messages = sa.Table("support_messages", sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            stored = connection.execute(sa.select(messages.c.body_html).order_by(messages.c.id)).scalars().all()
        assert stored == [render(body) for body in BODIES] and "<script>" not in stored[1]
        migrate.downgrade(empty_database_url, "0028")
        assert "body_html" not in {c["name"] for c in sa.inspect(engine).get_columns("support_messages")}
    finally:
        engine.dispose()
