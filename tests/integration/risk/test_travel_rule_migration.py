"""Migration 0023 gives stored travel-rule records a retention date column (empty: kept) and its downgrade takes
it away, the records themselves untouched both ways (SQLite rebuilds the table to do it)."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, inspect, select

from backend.db import migrate
from backend.db.session import make_engine

REQUEST_HASH = "0x" + "ab" * 32
ORIGINATOR = {"naturalPerson": {"name": {"primaryIdentifier": "Lovelace"}}, "accountNumber": "0x" + "11" * 20}


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_0023_adds_the_retention_date_to_travel_rule_records_and_its_downgrade_removes_it(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0022")
    engine = make_engine(empty_database_url)
    try:
        requests = Table("withdrawal_requests", MetaData(), autoload_with=engine)
        records = Table("travel_rule_records", MetaData(), autoload_with=engine)
        with engine.begin() as connection:
            connection.execute(requests.insert().values(
                hash=REQUEST_HASH, wallet="0x" + "11" * 20, token="0x" + "22" * 20, amount=1, max_fee=0, fee=0,
                recipient="0x" + "11" * 20, nonce=1, expiry=1, signature=b"\x01" * 65, status="accepted",
                created_at_ms=1, updated_at_ms=1,
            ))  # fmt: skip
            connection.execute(records.insert().values(
                request_hash=REQUEST_HASH, originator=ORIGINATOR, beneficiary={}, value=5, created_at_ms=1
            ))  # fmt: skip
        migrate.upgrade(empty_database_url, "0023")
        assert "retain_until_ms" in _columns(engine, "travel_rule_records")
        upgraded = Table("travel_rule_records", MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            row = connection.execute(select(upgraded)).one()
        assert (row.request_hash, row.originator, row.retain_until_ms) == (REQUEST_HASH, ORIGINATOR, None)

        migrate.downgrade(empty_database_url, "0022")
        assert "retain_until_ms" not in _columns(engine, "travel_rule_records")
        with engine.connect() as connection:
            assert connection.execute(select(records.c.request_hash, records.c.originator)).all() == [
                (REQUEST_HASH, ORIGINATOR)
            ]
    finally:
        engine.dispose()
