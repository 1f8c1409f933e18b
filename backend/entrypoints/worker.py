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

from backend.accounts.retention import PURGE_INTERVAL_S
from backend.accounts.service import Accounts
from backend.bootstrap import Container, bootstrap
from backend.settings import get_settings

log = logging.getLogger(__name__)

INDEXER_QUEUE = "hdex-indexer"
RELAYER_QUEUE = "hdex-relayer"


def make_celery(broker_url: str, data_dir: Path, interval_s: float = 1.0) -> Celery:
    app = Celery("hdex", broker=broker_url)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.conf.update(
        beat_schedule_filename=str(data_dir / "celerybeat-schedule"),
        task_routes={
            "hdex.indexer.*": {"queue": INDEXER_QUEUE},
            "hdex.relayer.*": {"queue": RELAYER_QUEUE},
        },
        beat_schedule={
            "indexer-poll": {"task": "hdex.indexer.poll", "schedule": interval_s},
            "relayer-tick": {"task": "hdex.relayer.tick", "schedule": interval_s},
            "accounts-purge": {"task": "hdex.accounts.purge_expired", "schedule": PURGE_INTERVAL_S},
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


def celery_app() -> Celery:
    """The app for `hdex worker` (and `celery -A backend.entrypoints.worker:celery_app`)."""
    settings = get_settings()
    if settings.redis_url is None:
        raise RuntimeError("the Celery worker needs HDEX_REDIS_URL (its broker)")
    return make_celery(settings.redis_url, settings.data_dir)
