"""Celery (production shape, HDEX_REDIS_URL set): the indexer and the relayer as periodic tasks.

`hdex worker` runs one worker with beat. Each task does one poll/tick under its database lease,
so even several workers keep one writer per chain; the relayer's tasks go to their own queue,
consumed by a single worker process (`--concurrency 1`), since one key has one nonce sequence.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_process_init
from prometheus_client import start_http_server

from backend.accounts.retention import PURGE_INTERVAL_S
from backend.accounts.service import Accounts
from backend.alerts.delivery import AlertDelivery
from backend.bootstrap import Container, bootstrap
from backend.log import configure_logging
from backend.notices import AccountMailing
from backend.risk.aml import load_aml_rules
from backend.settings import get_settings

log = logging.getLogger(__name__)

INDEXER_QUEUE = "hdex-indexer"
RELAYER_QUEUE = "hdex-relayer"
JOBS_QUEUE = "hdex-jobs"  # everything else (purges, alert delivery, monitors): Celery's default queue here


def make_celery(
    broker_url: str,
    data_dir: Path,
    interval_s: float = 1.0,
    monitor_interval_s: float = 30.0,
    reconcile_interval_s: float = 300.0,
    alert_interval_s: float = 5.0,
    aml_interval_s: float = 60.0,
    stats_interval_s: float = 60.0,
    account_mail_interval_s: float = 10.0,
) -> Celery:
    app = Celery("hdex", broker=broker_url)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.conf.update(
        beat_schedule_filename=str(data_dir / "celerybeat-schedule"),
        task_routes={
            "hdex.indexer.*": {"queue": INDEXER_QUEUE},
            "hdex.relayer.*": {"queue": RELAYER_QUEUE},
        },
        task_default_queue=JOBS_QUEUE,  # `hdex worker` consumes it: no task waits on a queue nobody reads
        beat_schedule={
            "indexer-poll": {"task": "hdex.indexer.poll", "schedule": interval_s},
            "relayer-tick": {"task": "hdex.relayer.tick", "schedule": interval_s},
            "accounts-purge": {"task": "hdex.accounts.purge_expired", "schedule": PURGE_INTERVAL_S},
            "alerts-deliver": {"task": "hdex.alerts.deliver", "schedule": alert_interval_s},  # issue 14
            # operator risk (issue 14): the checks every interval, reconciliation (every vault balance) less often
            "monitor-operator": {"task": "hdex.monitor.operator", "schedule": monitor_interval_s},
            "monitor-reconcile": {"task": "hdex.monitor.reconcile", "schedule": max(reconcile_interval_s, 1.0)},
            "monitor-aml": {"task": "hdex.monitor.aml", "schedule": aml_interval_s},  # AML, re-screening (issue 14)
            "stats-rollup": {"task": "hdex.stats.rollup", "schedule": stats_interval_s},  # statistics (issue 16)
            "account-mail": {"task": "hdex.notices.mail", "schedule": account_mail_interval_s},  # fills, news...
        },
        # A tick that outlives its interval must not pile up copies behind it.
        task_time_limit=120,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
    )
    app.task(name="hdex.indexer.poll", ignore_result=True, expires=interval_s * 5)(_indexer_poll)
    app.task(name="hdex.relayer.tick", ignore_result=True, expires=interval_s * 5)(_relayer_tick)
    app.task(name="hdex.accounts.purge_expired", ignore_result=True, expires=PURGE_INTERVAL_S)(_accounts_purge)
    app.task(name="hdex.alerts.deliver", ignore_result=True, expires=alert_interval_s * 5)(_alerts_deliver)
    app.task(name="hdex.monitor.operator", ignore_result=True, expires=monitor_interval_s)(_monitor_operator)
    app.task(name="hdex.monitor.reconcile", ignore_result=True, expires=reconcile_interval_s)(_monitor_reconcile)
    app.task(name="hdex.monitor.aml", ignore_result=True, expires=aml_interval_s)(_monitor_aml)
    app.task(name="hdex.stats.rollup", ignore_result=True, expires=stats_interval_s)(_stats_rollup)
    app.task(name="hdex.notices.mail", ignore_result=True, expires=account_mail_interval_s * 5)(_account_mail)
    return app


@cache
def _container() -> Container:
    return bootstrap(get_settings())


@cache
def _indexer_loop() -> Any:
    from indexer.runner import IndexerLoop, build_follower

    container = _container()
    return IndexerLoop(container, build_follower(container))


def _indexer_poll() -> None:
    _indexer_loop().poll()


@cache
def _relayer() -> Any:
    # One relayer per worker process: its lease owner must stay the same from one tick to the next,
    # or each tick would wait out the TTL of the lease its predecessor took.
    from relayer.runner import relayer_for

    return relayer_for(_container())


def _relayer_tick() -> None:
    _relayer().tick()


def _accounts_purge() -> None:
    # The KYC retention purge (issue 13): idempotent, so a second worker running it too does no harm.
    Accounts(_container()).purge_expired()


@cache
def _monitor() -> Any:
    # The operator checks only: price feeds are watched where an engine host runs (`hdex up`), the one that
    # can halt a market.
    from backend.monitoring.runner import Monitor

    return Monitor(_container(), operator=True, feeds=False)


def _monitor_operator() -> None:
    # Under the `monitor` lease: several workers never check, reconcile or pause at once (one per worker
    # process, cached: its lease owner stays the same from one pass to the next).
    _monitor().tick(reconcile=False)


def _monitor_reconcile() -> None:
    _monitor().tick(reconcile=True)


@cache
def _aml_monitor() -> Any:
    from backend.monitoring.aml import AmlMonitor

    return AmlMonitor(_container())


def _monitor_aml() -> None:
    # An AML pass over what happened since the last one, after re-screening if a sanctions list was imported,
    # under the `aml` lease (one writer across workers)
    _aml_monitor().tick()


@cache
def _stats_worker() -> Any:
    # One per worker process: its lease owner stays the same from one run to the next (as alert delivery's).
    from backend.stats.service import StatsWorker

    return StatsWorker(_container())


def _stats_rollup() -> None:
    # Rollups of what happened since the last run, under the stats lease (one writer across workers)
    _stats_worker().tick()


@cache
def _account_mailing() -> AccountMailing:
    # One per worker process: its lease owner stays the same from one pass to the next (as alert delivery's).
    return AccountMailing(_container())


def _account_mail() -> None:
    # Under the account-mail lease: several workers never collect or send at once (`backend.notices`).
    _account_mailing().tick()


@cache
def _alert_delivery() -> AlertDelivery:
    # One per worker process: its lease owner stays the same from one pass to the next (as the relayer's).
    return AlertDelivery(_container())


def _alerts_deliver() -> None:
    # Under the delivery lease: several workers never deliver at once (`backend.alerts.delivery`).
    _alert_delivery().tick()


def serve_metrics(**_: Any) -> None:
    """The worker process's Prometheus metrics (the operator checks' and the indexer's gauges are set here, not
    in the API) on HDEX_MONITOR_METRICS_PORT, for the rules of ops/prometheus/alerts.yml."""
    import backend.metrics  # noqa: F401  (every HDEX metric registered: served from the first scrape)

    settings = get_settings()
    if settings.monitor_metrics_port is not None:
        start_http_server(settings.monitor_metrics_port, addr=settings.api_host)
        log.info("metrics served", extra={"port": settings.monitor_metrics_port})


def _configure_logging(**_: object) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


def celery_app() -> Celery:
    """The app for `hdex worker` (and `celery -A backend.entrypoints.worker:celery_app`)."""
    settings = get_settings()
    if settings.redis_url is None:
        raise RuntimeError("the Celery worker needs HDEX_REDIS_URL (its broker)")
    # Tasks run in the pool's child process: its metrics are the ones worth serving.
    worker_process_init.connect(serve_metrics, weak=False)
    # Our logging, not Celery's (a receiver of setup_logging stops Celery configuring it): HDEX_LOG_FORMAT holds,
    # and httpx's line per RPC request stays off at INFO (thousands an hour, each with the RPC URL, which may carry
    # a provider's API key).
    setup_logging.connect(_configure_logging, weak=False)
    return make_celery(
        settings.redis_url,
        settings.data_dir,
        monitor_interval_s=settings.monitor_interval_s,
        reconcile_interval_s=settings.monitor_reconcile_interval_s,
        alert_interval_s=settings.alert_delivery_interval_s,
        aml_interval_s=load_aml_rules(settings.aml_rules_file).interval_s,  # a bad rules file stops the worker here
        stats_interval_s=settings.stats_interval_s,
        account_mail_interval_s=settings.account_mail_interval_s,
    )
