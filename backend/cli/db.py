"""`hdex db`: schema migrations on the configured database."""

import click

from backend.db import migrate
from backend.db.session import make_engine
from backend.settings import get_settings


@click.group("db")
def db_group() -> None:
    """Database schema: upgrade, downgrade, current revision."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: every head)."""
    migrate.upgrade(get_settings().effective_database_url, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    migrate.downgrade(get_settings().effective_database_url, revision)
    click.echo(f"database at {revision}")


@db_group.command("current")
def current() -> None:
    """Print the revision the database is at."""
    click.echo(migrate.current_revision(make_engine(get_settings().effective_database_url)) or "none")
