"""`hdex reconcile`: the ledger against the chain."""

from __future__ import annotations

import sys

import click

from backend.chain.deployments import NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.cli.context import database_container
from backend.ledger.reconcile import UnreadableToken, reconcile


@click.command("reconcile")
def reconcile_command() -> None:
    """Compare the ledger with the Exchange's on-chain balances; exit 1 on any difference."""

    container = database_container()
    settings = container.settings
    with container.uow() as uow:
        try:
            exchange = require_exchange(uow.session, settings.chain_id).address
        except NotDeployed as exc:
            click.echo(f"hdex reconcile: {exc}", err=True)
            sys.exit(2)
        reader = JsonRpcClient(settings.effective_rpc_url)
        try:
            report = reconcile(uow.session, reader.call, settings.chain_id, exchange)
        except RpcError as exc:
            click.echo(f"hdex reconcile: chain unreachable: {exc}", err=True)
            sys.exit(2)
        except UnreadableToken as exc:  # exit 1 means differences found: this one is "could not compare"
            click.echo(f"hdex reconcile: {exc}", err=True)
            sys.exit(2)
        finally:
            reader.close()
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)
