"""What every test directory shares: how the suite splits across pytest-xdist workers (`make test` runs three).

- Each test file runs whole on one worker (its module fixtures start once, and the scale-out files keep the
  fixed Redis databases each of them owns); the browser tests run together on one worker, since they share
  one `hdex up` stack per session, and are handed out first: they are the longest unit, and last they would
  leave the other worker idle.
- Each worker after the first gets a Redis database of its own for HDEX_REDIS_URL (rate limits, pub/sub
  channels and Celery queues would otherwise cross between tests running at once). The databases the
  scale-out files own (SCALEOUT_REDIS_DBS) are never handed out.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

SCALEOUT_REDIS_DBS = range(9, 15)  # tests/integration/scaleout: redis_database(9..14)
REDIS_DBS = 16  # a Redis server's default number of databases
BROWSER_TESTS = "tests/browser/"


def worker_redis_url(url: str, worker: int) -> str:
    """HDEX_REDIS_URL for xdist worker number `worker`: the same database for the first, a free one else."""
    if worker == 0:
        return url
    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    free = [db for db in reversed(range(REDIS_DBS)) if db != given and db not in SCALEOUT_REDIS_DBS]
    if worker > len(free):
        raise pytest.UsageError(f"the suite has Redis databases for {len(free) + 1} xdist workers, not {worker + 1}")
    return urlunsplit(parts._replace(path=f"/{free[worker - 1]}"))


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... in a worker; absent without xdist
    url = os.environ.get("HDEX_REDIS_URL")
    if worker is not None and url:
        # Before collection: modules read it at import, and the servers the tests start inherit it.
        os.environ["HDEX_REDIS_URL"] = worker_redis_url(url, int(worker.removeprefix("gw")))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests first (a stable sort: the order within each part stays)."""
    items.sort(key=lambda item: not item.nodeid.startswith(BROWSER_TESTS))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Hand out whole files, and the browser tests as one unit (see the module docs)."""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return BROWSER_TESTS if nodeid.startswith(BROWSER_TESTS) else nodeid.split("::", 1)[0]

    return FileScheduling(config, log)
