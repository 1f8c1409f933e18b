"""`hdex up`: what `make run` calls."""

import sys

import click

from backend.entrypoints.runtime import StartupError, run_exchange
from backend.settings import get_settings


@click.command("up")
def up_command() -> None:
    """Start the whole exchange (chain, contracts, database, API) and serve until Ctrl-C."""
    try:
        run_exchange(get_settings())
    except StartupError as exc:
        click.echo(f"hdex up: {exc}", err=True)
        sys.exit(1)
