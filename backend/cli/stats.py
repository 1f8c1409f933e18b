"""`hdex stats`: one rollup pass now, a rebuild from scratch, and CSV exports of the statistics tables."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from backend.audit_log.store import cli_actor
from backend.cli.context import database_container
from backend.errors import HdexError
from backend.stats.days import day_of, parse_range
from backend.stats.export import export_table
from backend.stats.queries import STAFF_TABLES
from backend.stats.service import StatsWorker


@click.group("stats")
def stats_group() -> None:
    """Statistics rollups (the loop runs in `hdex up` and `hdex worker`) and their exports."""


@click.command("run-once")
@click.option("--no-chain", is_flag=True, help="skip reading the Exchange's balances (value locked) from the chain")
def run_once_command(no_chain: bool) -> None:
    """Roll up what happened since the last pass, and print what was recomputed."""
    container = database_container()
    try:
        results = StatsWorker(container, read_chain=not no_chain).run_once()
    finally:
        container.db_engine.dispose()
    if not results:
        click.echo("hdex: another process is rolling up (the stats lease is held); try again later", err=True)
        sys.exit(1)
    click.echo(
        f"market days {sum(r.market_days for r in results)}, token days {sum(r.token_days for r in results)}, "
        f"wallets {sum(r.wallets for r in results)}, user days {sum(r.user_days for r in results)}"
    )


@click.command("rebuild")
def rebuild_command() -> None:
    """Delete every rollup and recompute it from the raw rows (fills, ledger, events, chain readings)."""
    container = database_container()
    try:
        rebuilt = StatsWorker(container, read_chain=False).rebuild()
    finally:
        container.db_engine.dispose()
    if not rebuilt:
        click.echo("hdex: another process is rolling up (the stats lease is held); try again later", err=True)
        sys.exit(1)
    click.echo("statistics rebuilt")


@click.command("export")
@click.argument("table", type=click.Choice(STAFF_TABLES))
@click.option("--from", "first", metavar="YYYY-MM-DD", help="first UTC day (default: 29 days before --to)")
@click.option("--to", "last", metavar="YYYY-MM-DD", help="last UTC day (default: today)")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="write here instead of stdout")
def export_command(table: str, first: str | None, last: str | None, output: Path | None) -> None:
    """A statistics table as CSV for a range of days (audit-logged "stats.export")."""
    container = database_container()
    try:
        days = parse_range(first, last, day_of(time.time_ns() // 1_000_000))
        with container.uow() as uow:
            text, rows = export_table(uow.session, table, days, actor=cli_actor())
            if output is not None:  # before the commit: only an export that was written is audit-logged
                output.write_text(text, encoding="utf-8", newline="")
            uow.commit()
    except HdexError as exc:
        click.echo(f"hdex: {exc.message}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"hdex stats export: cannot write {output}: {exc.strerror}; nothing exported", err=True)
        sys.exit(2)
    finally:
        container.db_engine.dispose()
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"{rows} rows written to {output}", err=True)


stats_group.add_command(run_once_command)
stats_group.add_command(rebuild_command)
stats_group.add_command(export_command)
