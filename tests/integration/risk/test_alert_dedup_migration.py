"""Migration 0035 makes a dedup key unique among the alerts that are not closed: of the open alerts already sharing
one, the first raised keeps it and the others give it up, everything else of them untouched; its downgrade puts
the plain index back (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, MetaData, Table, inspect, select
from sqlalchemy.exc import IntegrityError

from backend.db import migrate
from backend.db.session import make_engine

# (status, dedup key, occurrences) of the alerts stored before the migration, by id from 1
STORED = [("open", "gas", 3), ("acknowledged", "gas", 1), ("closed", "gas", 7), ("open", "lag", 2), ("open", "gas", 1)]


def _alerts(engine: Engine) -> Table:
    return Table("alerts", MetaData(), autoload_with=engine)


def _open_alert(key: str) -> dict[str, object]:
    return {"kind": "operator.gas_low", "severity": "warning", "message": "m", "details": {}, "status": "open",
            "dedup_key": key, "occurrences": 1}  # fmt: skip


def test_0035_keeps_the_first_open_alert_of_a_shared_key_and_then_refuses_a_second(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0034")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            for status, key, occurrences in STORED:
                connection.execute(_alerts(engine).insert().values({**_open_alert(key), "status": status,
                                                                    "occurrences": occurrences}))  # fmt: skip
        migrate.upgrade(empty_database_url, "0035")
        alerts = _alerts(engine)
        with engine.connect() as connection:
            rows = connection.execute(select(alerts.c.status, alerts.c.dedup_key, alerts.c.occurrences)
                                      .order_by(alerts.c.id)).all()  # fmt: skip
        assert [tuple(row) for row in rows] == [
            ("open", "gas", 3), ("acknowledged", None, 1), ("closed", "gas", 7), ("open", "lag", 2), ("open", None, 1)
        ]  # fmt: skip
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(alerts.insert().values(_open_alert("gas")))
        with engine.begin() as connection:  # a closed one never holds its key
            connection.execute(alerts.insert().values({**_open_alert("lag"), "status": "closed"}))

        migrate.downgrade(empty_database_url, "0034")
        assert "ix_alerts_dedup_key_status" in {index["name"] for index in inspect(engine).get_indexes("alerts")}
        with engine.begin() as connection:
            connection.execute(_alerts(engine).insert().values(_open_alert("gas")))
    finally:
        engine.dispose()
