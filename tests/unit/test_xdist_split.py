"""How the suite splits across pytest-xdist workers (tests/conftest.py): the Redis database each worker uses, and
the order in which the units of work are handed out."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tests.conftest import LONG_FILES, SCALEOUT_REDIS_DBS, pytest_collection_modifyitems, worker_redis_url

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_worker_keeps_the_given_database_and_the_others_get_free_ones_of_their_own() -> None:
    url = "redis://127.0.0.1:6379/0"
    urls = [worker_redis_url(url, worker) for worker in range(10)]

    assert urls[0] == url
    databases = [int(each.rsplit("/", 1)[1]) for each in urls]
    assert len(set(databases)) == 10
    assert not set(databases) & set(SCALEOUT_REDIS_DBS)
    assert all(each.startswith("redis://127.0.0.1:6379/") for each in urls)


def test_a_url_without_a_database_is_database_0_and_keeps_its_password() -> None:
    assert worker_redis_url("redis://:secret@cache:6380", 1) == "redis://:secret@cache:6380/15"
    assert worker_redis_url("redis://cache/15", 1) == "redis://cache/8"


def test_more_workers_than_free_databases_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="Redis databases for 10 xdist workers"):
        worker_redis_url("redis://127.0.0.1:6379/0", 10)


def test_the_browser_tests_then_the_long_files_then_the_rest_by_number_of_tests_go_first() -> None:
    collected = [
        "tests/unit/a.py::one",
        "tests/unit/b.py::one",
        "tests/unit/b.py::two",
        f"{LONG_FILES[1]}::one",
        "tests/browser/test_x.py::one",
        f"{LONG_FILES[0]}::one",
        "tests/unit/b.py::three",
        "tests/browser/test_w.py::one",
    ]
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in collected]

    pytest_collection_modifyitems(cast(list[Any], items))

    assert [item.nodeid for item in items] == [
        "tests/browser/test_x.py::one",  # one unit: their order stays
        "tests/browser/test_w.py::one",
        f"{LONG_FILES[0]}::one",
        f"{LONG_FILES[1]}::one",
        "tests/unit/b.py::one",  # three tests, each file's in its order
        "tests/unit/b.py::two",
        "tests/unit/b.py::three",
        "tests/unit/a.py::one",
    ]


def test_every_long_file_named_exists() -> None:
    """A file renamed away would silently go back to the end of the run."""
    assert [name for name in LONG_FILES if not (ROOT / name).is_file()] == []
