"""What every test directory shares: how the suite splits across pytest-xdist workers (`make test` runs three).

- Each test file runs whole on one worker (its module fixtures start once, and the scale-out files keep the
  fixed Redis databases each of them owns); the browser tests run together on one worker, since they share
  one `hdex up` stack per session.
- The longest units go first, so that none is left to run alone at the end: the browser tests, then the files of
  few but long tests (LONG_FILES), then the rest by their number of tests, the most first (xdist's own order,
  which alone put a 77 s fuzz file among the last). A worker gets its next file only once it has nothing left
  to run: xdist's default gives it one while its last test runs, and stacked two long files on one worker
  while the others went idle (a 1,127 s app run spent its last ~90 s on one worker).
- Each worker after the first gets a Redis database of its own for HDEX_REDIS_URL (rate limits, pub/sub
  channels and Celery queues would otherwise cross between tests running at once). The databases the
  scale-out files own (SCALEOUT_REDIS_DBS) are never handed out.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

SCALEOUT_REDIS_DBS = range(9, 15)  # tests/integration/scaleout: redis_database(9..14)
REDIS_DBS = 16  # a Redis server's default number of databases
BROWSER_TESTS = "tests/browser/"
# Files of a few tests that take 20-80 s in all (timed on the CI machine): by their number of tests they'd go last
LONG_FILES = (
    "tests/integration/api/test_openapi_fuzz.py",
    "tests/integration/scaleout/test_engine_takeover.py",
    "tests/integration/indexer/test_reconcile.py",
    "tests/integration/runtime/test_make_run.py",
    "tests/unit/backend/cli/test_up_database_down.py",
    "tests/integration/e2e/test_ccxt_on_dev_stack.py",
)


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


def _unit(nodeid: str) -> str:
    """The unit a worker runs whole: the browser tests, or a file."""
    return BROWSER_TESTS if nodeid.startswith(BROWSER_TESTS) else nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest units first (see the module docs); a stable sort: each unit's tests stay in their order."""
    tests = Counter(_unit(item.nodeid) for item in items)

    def rank(item: pytest.Item) -> tuple[int, int, str]:
        unit = _unit(item.nodeid)
        if unit == BROWSER_TESTS:
            return (0, 0, unit)
        if unit in LONG_FILES:
            return (1, LONG_FILES.index(unit), unit)
        return (2, -tests[unit], unit)

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Hand out whole units in the collection's order, each once its worker is idle (see the module docs)."""
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # the order is the collection's (`pytest_collection_modifyitems`)

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

        def _reschedule(self, node: Any) -> None:
            # A worker holds its last test until it is sent the next one or told to stop (pytest's teardown
            # needs to know what comes next): one pending test is an idle worker, two a busy one.
            if self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)

    return UnitScheduling(config, log)
