"""`hdex indexer`, `hdex relayer`, `hdex worker`: the background services as their own processes.

Under `hdex up` they run as threads; in the production shape run them separately (one writer per
chain each: a second copy waits on its database lease).
"""

from __future__ import annotations

import signal
import sys
import threading

import click

from backend.chain.deployments import NotDeployed
from backend.cli.context import database_answering, database_container
from backend.db import migrate
from backend.db.leased_loop import LeaseTooShort
from backend.settings import get_settings


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@click.command("indexer")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls")
def indexer_command(interval: float) -> None:
    """Follow Exchange events into the ledger until SIGINT/SIGTERM."""
    from indexer.runner import IndexerLoop, build_follower

    container = database_container(logs=True)
    try:
        loop = IndexerLoop(container, build_follower(container), interval_s=interval)
    except (NotDeployed, LeaseTooShort) as exc:
        click.echo(f"hdex indexer: {exc}", err=True)
        sys.exit(1)
    loop.run(_stop_on_signals())


@click.command("relayer")
@click.option("--interval", default=0.5, show_default=True, help="seconds between ticks")
def relayer_command(interval: float) -> None:
    """Settle matched trades and relay withdrawals with the operator key until SIGINT/SIGTERM."""
    from relayer.runner import relayer_for

    container = database_container(logs=True)
    try:
        relayer = relayer_for(container, interval_s=interval)
    except (NotDeployed, LeaseTooShort) as exc:
        click.echo(f"hdex relayer: {exc}", err=True)
        sys.exit(1)
    relayer.run(_stop_on_signals())


@click.command("worker")
def worker_command() -> None:
    """Run the Celery worker with beat (indexer, relayer and jobs queues); needs HDEX_REDIS_URL."""
    from backend.entrypoints.worker import INDEXER_QUEUE, JOBS_QUEUE, RELAYER_QUEUE, celery_app

    settings = get_settings()
    if settings.redis_url is None:
        click.echo("hdex worker: HDEX_REDIS_URL is not set (Celery needs Redis as its broker)", err=True)
        sys.exit(2)
    # The relayer's key, decrypted now: a keystore that cannot be read is one line at start (SettingsError), not a
    # relayer tick failing on every beat while the other jobs run on.
    settings.operator_private_key()
    with database_answering(settings.effective_database_url):
        migrate.upgrade(settings.effective_database_url)
    celery_app().worker_main(
        [
            "worker",
            "--beat",
            "--concurrency",
            "1",
            "--queues",
            f"{INDEXER_QUEUE},{RELAYER_QUEUE},{JOBS_QUEUE}",
            "--loglevel",
            settings.log_level,
            "--without-gossip",
            "--without-mingle",
        ]
    )
