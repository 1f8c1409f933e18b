"""The rate limiter's counters in Redis (issue 17): replicas share a client's windows; a window ends and the
next starts from nothing; Redis away or its scripts flushed, requests are still served."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from backend.api.ratelimit import RateLimiter
from backend.api.windows import RedisWindows, Window

from .exchange_fixtures import fixture_settings

REDIS_URL = os.environ.get("HDEX_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")
MINUTE = Window("60/1minute", 60_000)


def client() -> str:
    """A client no other test counts for (nothing is emptied: keys of other tests stay as they are)."""
    return f"ip:test-{uuid.uuid4().hex}"


@asynccontextmanager
async def windows() -> AsyncIterator[RedisWindows]:
    assert REDIS_URL is not None
    counters = RedisWindows(REDIS_URL)
    try:
        yield counters
    finally:
        await counters.close()


def test_two_replicas_count_one_client_s_windows_together() -> None:
    async def scenario() -> None:
        async with windows() as first, windows() as second:
            name = client()
            used = [(await replica.hit(name, [MINUTE, Window("5/1second", 1_000)], 2))
                    for replica in (first, second, first)]  # fmt: skip
            assert [[count.used for count in counts] for counts in used] == [[2, 2], [4, 4], [6, 6]]
            minute, second = used[2]
            assert minute.ends_at - second.ends_at > 50  # each window keeps its own length
            assert abs(used[0][0].ends_at - minute.ends_at) < 1  # the window started at the first hit

    asyncio.run(scenario())


def test_a_window_ends_and_the_next_one_starts_from_nothing() -> None:
    async def scenario() -> None:
        async with windows() as counters:
            name, short = client(), Window("1/1second", 50)
            [first] = await counters.hit(name, [short], 1)
            while time.time() < first.ends_at + 0.05:  # past its end by a margin: waiting longer changes nothing
                await asyncio.sleep(0.02)
            [after] = await counters.hit(name, [short], 1)
            assert after.used == 1
            assert after.ends_at > first.ends_at

    asyncio.run(scenario())


def test_a_script_gone_from_redis_is_loaded_again() -> None:
    async def scenario() -> None:
        async with windows() as counters:
            name = client()
            await counters.hit(name, [MINUTE], 1)
            counters._script = "0" * 40  # as after a Redis restart: the SHA it knows is unknown there
            [count] = await counters.hit(name, [MINUTE], 1)
            assert count.used == 2

    asyncio.run(scenario())


def test_with_redis_away_requests_are_served_without_headers(tmp_path: Path) -> None:
    settings = fixture_settings("sqlite://", tmp_path, redis_url="redis://127.0.0.1:1/0", rate_limit_ip="1/minute")
    limiter = RateLimiter(settings)

    async def scenario() -> list[dict[str, str]]:
        try:
            return [await limiter.hit("ip", "198.51.100.7", limiter.ip_limits) for _ in range(3)]
        finally:
            await limiter.close()

    assert asyncio.run(scenario()) == [{}, {}, {}]  # past "1/minute" twice, but nothing can count it
