"""`hdex risk`: the exchange's risk controls from a shell. `hdex risk withdrawals status|resume` shows and
ends a withdrawal pause (raised when the ledger and the chain differ), as the back office does."""

from __future__ import annotations

import json
import sys

import click

from backend.audit_log import cli_actor
from backend.cli.context import database_container
from backend.cli.reasons import reason_text
from backend.errors import HdexError
from backend.risk.withdrawal_pause import active_pause, clear_withdrawal_pause


@click.group("risk")
def risk_group() -> None:
    """Risk controls: withdrawal pauses."""


@risk_group.group("withdrawals")
def withdrawals_group() -> None:
    """Whether withdrawals are paused, and resuming them."""


@withdrawals_group.command("status")
def status_command() -> None:
    """Print "withdrawals accepted", or "withdrawals paused: <reason>" and what was found (exit 0 either way)."""
    container = database_container()
    with container.uow() as uow:
        pause = active_pause(uow.session)
    if pause is None:
        click.echo("withdrawals accepted")
        return
    click.echo(f"withdrawals paused since {pause.raised_at_ms} (epoch ms): {pause.reason}")
    click.echo(f"details: {json.dumps(pause.details, sort_keys=True)}")


@withdrawals_group.command("resume")
@click.option("--reason", required=True, callback=reason_text, help="why it is safe again (recorded in the audit log)")
def resume_command(reason: str) -> None:
    """End every open withdrawal pause, audit-logged as "withdrawals.resume" by cli:<user>."""
    container = database_container()
    try:
        with container.uow() as uow:
            pause = clear_withdrawal_pause(uow.session, actor=cli_actor(), reason=reason)
            uow.commit()
    except HdexError as exc:
        click.echo(f"hdex risk withdrawals resume: {exc}", err=True)
        sys.exit(2)
    click.echo(f"withdrawals resumed (paused for: {pause.reason})")
