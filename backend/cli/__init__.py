"""`hdex`: the one command-line entry point. Each subsystem adds its own command group."""

from __future__ import annotations

import importlib
import sys

import click

from backend.settings import SettingsError

# Command name -> (module, attribute). A command's module is imported only when that command runs (or help
# lists them all): `hdex reconcile` need not import the API, web3's whole stack or the SIWE grammar, which
# cost each `hdex` process ~3 s of CPU before it did anything.
COMMANDS: dict[str, tuple[str, str]] = {
    "up": ("backend.cli.up", "up_command"),
    "api": ("backend.cli.api", "api_command"),
    "db": ("backend.cli.db", "db_group"),
    "chain": ("backend.cli.chain", "chain_group"),
    "engine": ("backend.cli.engine", "engine_group"),
    "compliance": ("backend.cli.compliance", "compliance_group"),
    "indexer": ("backend.cli.services", "indexer_command"),
    "reconcile": ("backend.cli.ledger", "reconcile_command"),
    "relayer": ("backend.cli.services", "relayer_command"),
    "worker": ("backend.cli.services", "worker_command"),
    "market": ("backend.cli.market", "market_group"),
    "treasury": ("backend.cli.treasury", "treasury_group"),
    "audit": ("backend.cli.audit", "audit_command"),
    "staff": ("backend.cli.staff", "staff_group"),
    "audit-log": ("backend.cli.audit_log", "audit_log_group"),
    "accounts": ("backend.cli.accounts", "accounts_group"),
    "monitor": ("backend.cli.monitor", "monitor_group"),
    "risk": ("backend.cli.risk", "risk_group"),
    "stats": ("backend.cli.stats", "stats_group"),
}


class HdexGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit, never a traceback; loads each
    command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            click.echo(f"hdex: {exc}", err=True)
            sys.exit(2)


@click.group(cls=HdexGroup)
def main() -> None:
    """HDEX hybrid exchange: run it, manage its database, chain and markets."""
