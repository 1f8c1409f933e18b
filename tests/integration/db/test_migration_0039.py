"""Migration 0039 makes stats_events hand out ids that are never used again (AUTOINCREMENT on SQLite; PostgreSQL's
sequence already does), keeps every event, and drops the events cursor both ways (an event id before, a time
after); its downgrade keeps the events too."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db import migrate
from backend.db.session import make_engine

WALLET = "0x" + "5a" * 20


def _add_event(connection: sa.Connection, at_ms: int) -> int:
    return int(
        connection.execute(
            sa.text(
                "INSERT INTO stats_events (wallet, event, created_at_ms) VALUES (:wallet, 'wallet_connected', :at) "
                "RETURNING id"
            ),
            {"wallet": WALLET, "at": at_ms},
        ).scalar_one()
    )


def _state(engine: sa.Engine) -> tuple[list[tuple[int, int]], list[str]]:
    with engine.connect() as connection:
        events = connection.execute(sa.text("SELECT id, created_at_ms FROM stats_events ORDER BY id")).tuples().all()
        cursors = connection.execute(sa.text("SELECT name FROM stats_cursors")).scalars().all()
    return list(events), list(cursors)


def test_0039_never_hands_out_a_deleted_events_id_again_keeps_the_events_and_downgrades(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0038")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            ids = [_add_event(connection, at_ms) for at_ms in (1, 2, 3)]
            connection.execute(sa.text("INSERT INTO stats_cursors (name, value) VALUES ('stats.events', 3), "
                                       "('stats.fills', 7)"))  # fmt: skip
        migrate.upgrade(empty_database_url, "0039")
        assert _state(engine) == ([(ids[0], 1), (ids[1], 2), (ids[2], 3)], ["stats.fills"])
        with engine.begin() as connection:  # a deletion request deletes the newest event: its id stays used
            connection.execute(sa.text("DELETE FROM stats_events WHERE id = :id"), {"id": ids[-1]})
            assert _add_event(connection, 4) > ids[-1]
            connection.execute(sa.text("INSERT INTO stats_cursors (name, value) VALUES ('stats.events', 4)"))
        events = _state(engine)[0]
        migrate.downgrade(empty_database_url, "0038")
        assert _state(engine) == (events, ["stats.fills"])
    finally:
        engine.dispose()
