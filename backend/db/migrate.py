"""Alembic, driven from code: `hdex db upgrade|downgrade|current` call these."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_TO_HEAD = ("heads", "head")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may carry percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Migrate the database at `url` to `revision`. Every start and many commands call this on a database
    that is already at head: that case costs one read of its version table, not a run of Alembic (which
    loads every migration script each time)."""
    if revision in _TO_HEAD and _at_heads(url):
        return
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()


def script_heads() -> frozenset[str]:
    """The head revisions of the migration scripts (read once per process and set of version files)."""
    versions = MIGRATIONS_DIR / "versions"
    files = tuple(
        sorted((entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(versions) if entry.name.endswith(".py"))
    )
    return _heads_of(files)


@lru_cache(maxsize=4)
def _heads_of(files: tuple[tuple[str, int], ...]) -> frozenset[str]:
    """`files` (the version files' names and mtimes) is the cache key: a new or edited script reads again."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _at_heads(url: str) -> bool:
    """True when the database's version table names exactly the scripts' heads. Any error reading it
    (no server, no database) answers False, so that Alembic runs and reports it as it always did."""
    from alembic.runtime.migration import MigrationContext

    from backend.db.session import make_engine

    heads = script_heads()
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    return bool(current) and current == heads
