"""`hdex audit-log verify`: walk the hash chain of the staff and operator audit log."""

from __future__ import annotations

import sys

import click

from backend.audit_log.store import verify_log
from backend.cli.context import database_container


@click.group("audit-log")
def audit_log_group() -> None:
    """The append-only, hash-chained log of staff and operator actions."""


@audit_log_group.command("verify")
def verify_command() -> None:
    """Check every entry against its hash and its predecessor; exit 1 at the first edited or deleted one.

    Prints the head hash: kept somewhere else, it also shows a log rewritten whole."""
    with database_container().uow() as uow:
        result = verify_log(uow.session)
    if result.broken is not None:
        click.echo(f"hdex audit-log verify: {result.broken.problem}", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {result.entries} entries, head {result.head_seq} {result.head_hash}")
