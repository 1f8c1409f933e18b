"""What commands that touch the database start from: settings, a migrated database, the container."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from backend.bootstrap import Container, bootstrap
from backend.db import migrate
from backend.log import configure_logging
from backend.settings import get_settings


def database_container(*, logs: bool = False, create: bool = False) -> Container:
    """The container on the configured database, migrated to head first (an older schema is upgraded).

    `logs`: structured log lines on stderr, for services and long operations; one-shot commands that
    print their own answer leave them off. `create`: for the commands that set an exchange up (`hdex chain
    deploy`); every other one refuses a SQLite file that does not exist (exit 2), where it would create an empty
    database and report a change made nowhere the exchange reads (a mistyped HDEX_DATA_DIR).
    """
    settings = get_settings()
    if logs:
        configure_logging(settings.log_level, settings.log_format)
    missing = _missing_sqlite_file(settings.effective_database_url)
    if missing is not None and not create:
        click.echo(
            f"hdex: no database at {missing}: start the exchange there once with `hdex up` (or `hdex db upgrade`), "
            "or point HDEX_DATA_DIR / HDEX_DATABASE_URL at an existing one; nothing done",
            err=True,
        )
        sys.exit(2)
    with database_answering(settings.effective_database_url):
        migrate.upgrade(settings.effective_database_url)
    return bootstrap(settings)


@contextmanager
def database_answering(url: str) -> Iterator[None]:
    """Runs the block; a database server that does not answer in it is one line on stderr and exit 2: no finding of
    the command's (exit 1 is what `hdex monitor run-once` and `hdex reconcile` give for alerts and differences), and
    never a traceback. The password is hidden."""
    try:
        yield
    except OperationalError as exc:
        where = make_url(url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        click.echo(f"hdex: cannot reach the database at {where}: {reason}; nothing done", err=True)
        sys.exit(2)


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist; None for one that does, in memory, or a server's."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path
