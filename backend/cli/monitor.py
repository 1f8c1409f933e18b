"""`hdex monitor run-once`: one monitoring pass (operator checks and price feeds), printing what it raised."""

from __future__ import annotations

import sys

import click

from backend.cli.context import database_container
from backend.monitoring.runner import Monitor


@click.group("monitor")
def monitor_group() -> None:
    """Operator risk and price-feed monitoring (the loop runs in `hdex up` and `hdex worker`)."""


@click.command("run-once")
@click.option("--no-reconcile", is_flag=True, help="skip the reconciliation of the ledger with the chain")
@click.option("--no-feeds", is_flag=True, help="skip the markets' price feeds")
def run_once_command(no_reconcile: bool, no_feeds: bool) -> None:
    """One pass; exit 1 when it raised an alert, 2 when a check could not read its source.

    A feed deviation past the halt limit is reported, not acted on: only the engine host (`hdex up`) halts.
    The operator checks run under the `monitor` lease: while `hdex up` or `hdex worker` holds it, they are
    theirs to run and this pass reports "FAILED operator"."""
    container = database_container()
    monitor = Monitor(container, operator=True, feeds=not no_feeds)
    try:
        report = monitor.run_once(reconcile=not no_reconcile)
    finally:
        monitor.close()
        container.db_engine.dispose()
    for raised in report.raised:
        click.echo(raised.line())
    for check, why in sorted(report.failures.items()):
        click.echo(f"FAILED   {check}: {why}", err=True)
    if not report.raised and not report.failures:
        click.echo("nothing to report")
    sys.exit(2 if report.failures else 1 if report.raised else 0)


monitor_group.add_command(run_once_command)
