"""`hdex`: the one command-line entry point. Each subsystem adds its own command group."""

from __future__ import annotations

import sys

import click

from backend.settings import SettingsError


class HdexGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            click.echo(f"hdex: {exc}", err=True)
            sys.exit(2)


@click.group(cls=HdexGroup)
def main() -> None:
    """HDEX hybrid exchange: run it, manage its database, chain and markets."""


def _register() -> None:
    from backend.cli.accounts import accounts_group
    from backend.cli.audit import audit_command
    from backend.cli.audit_log import audit_log_group
    from backend.cli.chain import chain_group
    from backend.cli.compliance import compliance_group
    from backend.cli.db import db_group
    from backend.cli.engine import engine_group
    from backend.cli.ledger import reconcile_command
    from backend.cli.market import market_group
    from backend.cli.services import indexer_command, relayer_command, worker_command
    from backend.cli.staff import staff_group
    from backend.cli.treasury import treasury_group
    from backend.cli.up import up_command

    main.add_command(up_command)
    main.add_command(db_group)
    main.add_command(chain_group)
    main.add_command(engine_group)
    main.add_command(compliance_group)
    main.add_command(indexer_command)
    main.add_command(reconcile_command)
    main.add_command(relayer_command)
    main.add_command(worker_command)
    main.add_command(market_group)
    main.add_command(treasury_group)
    main.add_command(audit_command)
    main.add_command(staff_group)
    main.add_command(audit_log_group)
    main.add_command(accounts_group)


_register()
