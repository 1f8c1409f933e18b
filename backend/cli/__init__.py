"""`hdex`: the one command-line entry point. Each subsystem adds its own command group."""

from __future__ import annotations

import importlib
import sys
from typing import NamedTuple

import click

from backend.settings import SettingsError


class CommandEntry(NamedTuple):
    """Where a command lives, and the line `hdex --help` lists it with."""

    module: str
    attribute: str
    summary: str


# A command's module is imported only when that command runs: `hdex reconcile` need not import the API, web3's
# whole stack or the SIWE grammar, which cost each `hdex` process ~3 s of CPU before it did anything. The listing
# in `hdex --help` is written here for the same reason (loading every module to read its first line took 4 s).
COMMANDS: dict[str, CommandEntry] = {
    "up": CommandEntry("backend.cli.up", "up_command", "Start the whole exchange in one process and serve it."),
    "api": CommandEntry("backend.cli.api", "api_command", "Serve an API replica in front of `hdex engine serve`."),
    "db": CommandEntry("backend.cli.db", "db_group", "Database schema: upgrade, downgrade, current revision."),
    "chain": CommandEntry("backend.cli.chain", "chain_group", "Local chain, contract compilation and deployment."),
    "engine": CommandEntry("backend.cli.engine", "engine_group", "Serve the engine process; replay a command journal."),
    "compliance": CommandEntry(
        "backend.cli.compliance", "compliance_group", "Sanctions lists, screening, deny-list, frozen deposits."
    ),
    "indexer": CommandEntry("backend.cli.services", "indexer_command", "Credit the Exchange's events to the ledger."),
    "reconcile": CommandEntry("backend.cli.ledger", "reconcile_command", "Compare the ledger with on-chain balances."),
    "relayer": CommandEntry("backend.cli.services", "relayer_command", "Settle trades and relay withdrawals on-chain."),
    "worker": CommandEntry(
        "backend.cli.services", "worker_command", "Run the Celery worker and beat (HDEX_REDIS_URL)."
    ),
    "market": CommandEntry(
        "backend.cli.market", "market_group", "Add, list, halt and resume markets; their risk limits."
    ),
    "treasury": CommandEntry(
        "backend.cli.treasury", "treasury_group", "Custody multisig: propose, sign, execute; timelock."
    ),
    "audit": CommandEntry(
        "backend.cli.audit", "audit_command", "Re-verify every balance and settlement from the chain."
    ),
    "staff": CommandEntry("backend.cli.staff", "staff_group", "Back-office staff accounts and their roles."),
    "audit-log": CommandEntry(
        "backend.cli.audit_log", "audit_log_group", "The hash-chained log of staff and operator acts."
    ),
    "accounts": CommandEntry("backend.cli.accounts", "accounts_group", "Wallet users' accounts and KYC records."),
    "monitor": CommandEntry("backend.cli.monitor", "monitor_group", "One pass of the risk and price-feed checks."),
    "risk": CommandEntry("backend.cli.risk", "risk_group", "Risk controls: withdrawal pauses."),
    "stats": CommandEntry("backend.cli.stats", "stats_group", "Statistics rollups: run, rebuild, export as CSV."),
}


class HdexGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit, never a traceback; loads each
    command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            entry = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(entry.module), entry.attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their summaries from the table, none of their modules imported."""
        rows = [(name, COMMANDS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            click.echo(f"hdex: {exc}", err=True)
            sys.exit(2)


@click.group(cls=HdexGroup)
@click.version_option(package_name="hdex", prog_name="hdex", message="%(prog)s %(version)s")
def main() -> None:
    """HDEX hybrid exchange: run it, manage its database, chain and markets."""
