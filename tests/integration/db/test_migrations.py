"""Migrations apply to an empty database, match the models, and downgrade cleanly (SQLite and PostgreSQL)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Integer, MetaData, Numeric, Table, inspect, text

from backend.db import migrate
from backend.db.models import Base, include_name
from backend.db.session import make_engine


def test_upgrade_creates_every_table_of_the_models(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        assert migrate.current_revision(engine) is not None
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_migrated_schema_has_no_difference_from_the_models(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_name": include_name}  # as env.py
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_again_works(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    try:
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(empty_database_url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _row_for(table: Table, signature: str) -> dict[str, object]:
    """A row with every required column filled (numbers 1, text "x"), keyed by a fixed hash."""
    row: dict[str, object] = {}
    for column in table.columns:
        if column.nullable and column.name != "signature":
            continue
        row[column.name] = 1 if isinstance(column.type, Integer | Numeric) else "x"
    row.update(hash="0x" + "ab" * 32, signature=signature)
    return row


def test_signatures_stored_as_hex_become_the_same_bytes_and_back(empty_database_url: str) -> None:
    signature = bytes(range(65))
    migrate.upgrade(empty_database_url, "0005")
    engine = make_engine(empty_database_url)
    try:
        tables = [Table(name, MetaData(), autoload_with=engine) for name in ("orders", "withdrawal_requests")]
        with engine.begin() as connection:
            for table in tables:
                connection.execute(table.insert().values(_row_for(table, "0x" + signature.hex())))
        migrate.upgrade(empty_database_url)
        with engine.connect() as connection:
            for table in tables:
                stored = connection.execute(text(f"SELECT signature FROM {table.name}")).scalar_one()
                assert bytes(stored) == signature
        migrate.downgrade(empty_database_url, "0005")
        with engine.connect() as connection:
            for table in tables:
                assert (
                    connection.execute(text(f"SELECT signature FROM {table.name}")).scalar_one()
                    == "0x" + signature.hex()
                )
    finally:
        engine.dispose()
