"""`hdex indexer` (the chain follower as its own process) and `hdex reconcile`."""

from __future__ import annotations

import signal
import sys
import threading

import click

from backend.bootstrap import bootstrap
from backend.chain.deployments import load_deployments
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.db import migrate
from backend.ledger.reconcile import reconcile
from backend.log import configure_logging
from backend.settings import get_settings


@click.command("indexer")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls")
def indexer_command(interval: float) -> None:
    """Follow Exchange events into the ledger until SIGINT/SIGTERM (one writer per chain)."""
    from indexer.runner import IndexerLoop, NotDeployed, build_follower

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    migrate.upgrade(settings.effective_database_url)
    container = bootstrap(settings)
    try:
        loop = IndexerLoop(container, build_follower(container), interval_s=interval)
    except NotDeployed as exc:
        click.echo(f"hdex indexer: {exc} (run `hdex up` or `hdex chain deploy` first)", err=True)
        sys.exit(1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    loop.run(stop)


@click.command("reconcile")
def reconcile_command() -> None:
    """Compare the ledger with the Exchange's on-chain balances; exit 1 on any difference."""

    settings = get_settings()
    container = bootstrap(settings)
    with container.uow() as uow:
        exchange = load_deployments(uow.session, settings.chain_id).get("Exchange")
        if exchange is None:
            click.echo(
                f"hdex reconcile: no Exchange deployment recorded for chain {settings.chain_id}", err=True
            )
            sys.exit(2)
        reader = JsonRpcClient(settings.effective_rpc_url)
        try:
            report = reconcile(uow.session, reader.call, settings.chain_id, exchange)
        except RpcError as exc:
            click.echo(f"hdex reconcile: chain unreachable: {exc}", err=True)
            sys.exit(2)
        finally:
            reader.close()
    click.echo(report.render())
    sys.exit(0 if report.ok else 1)
