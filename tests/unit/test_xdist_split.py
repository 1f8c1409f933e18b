"""The Redis database each pytest-xdist worker of the suite uses (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import SCALEOUT_REDIS_DBS, worker_redis_url


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
