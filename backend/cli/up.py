"""`hdex up`: what `make run` calls."""

import sys

import click

from backend.cli.context import database_answering
from backend.entrypoints.runtime import StartupError, run_exchange
from backend.settings import get_settings


@click.command("up")
def up_command() -> None:
    """Start the whole exchange (chain, contracts, database, API) and serve until Ctrl-C."""
    settings = get_settings()
    try:
        with database_answering(settings.effective_database_url):  # its first step: the migrations
            run_exchange(settings)
    except StartupError as exc:
        click.echo(f"hdex up: {exc}", err=True)
        sys.exit(1)
