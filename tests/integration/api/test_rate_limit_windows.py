"""The rate limiter's counters shared through Redis (issue 17): each replica counts at once and learns the
others' counts at its next exchange; a window keeps the length it has in Redis; the hits not yet sent go at
shutdown; with Redis away, or its scripts flushed, every replica still limits what it sees."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from backend.api.ratelimit import RateLimiter
from backend.api.windows import KEY_PREFIX, SharedWindows, Window
from backend.errors import ErrorCode, HdexError

from .exchange_fixtures import fixture_settings

REDIS_URL = os.environ.get("HDEX_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")
MINUTE = Window("60/1minute", 60_000)
NEVER_S = 60.0  # an exchange interval no test waits for: the tests exchange when they mean to


def client() -> str:
    """A client no other test counts for (nothing is emptied: keys of other tests stay as they are)."""
    return f"ip:test-{uuid.uuid4().hex}"


@asynccontextmanager
async def replica() -> AsyncIterator[SharedWindows]:
    assert REDIS_URL is not None
    counters = SharedWindows(REDIS_URL, NEVER_S)
    try:
        yield counters
    finally:
        await counters.close()


async def used(counters: SharedWindows, name: str, windows: list[Window] | None = None) -> list[int]:
    return [count.used for count in await counters.hit(name, windows or [MINUTE], 1)]


def test_a_replica_counts_at_once_and_learns_the_others_counts_at_its_next_exchange() -> None:
    async def scenario() -> None:
        async with replica() as first, replica() as second:
            name = client()
            assert [await used(first, name) for _ in range(3)] == [[1], [2], [3]]  # no round trip waited for
            await first.exchange()
            assert await used(second, name) == [1]  # it has not heard of the first's yet
            await second.exchange()
            assert await used(second, name) == [5]  # 3 + 1, and this one
            assert await used(first, name) == [4]  # the first hears of the second's at its own next exchange
            await first.exchange()
            assert await used(first, name) == [6]

    asyncio.run(scenario())


def test_a_window_ends_where_redis_has_it_end_from_its_first_hit_on_any_replica() -> None:
    async def scenario() -> None:
        async with replica() as first, replica() as second:
            name = client()
            [started] = await first.hit(name, [MINUTE], 1)
            await first.exchange()
            await asyncio.sleep(1.0)
            [unheard] = await second.hit(name, [MINUTE], 1)
            await second.exchange()
            [heard] = await second.hit(name, [MINUTE], 1)
            assert unheard.ends_at - started.ends_at >= 0.99  # before its exchange: from its own first hit
            assert abs(heard.ends_at - started.ends_at) < 0.5  # after: the window the first replica started

    asyncio.run(scenario())


def test_the_hits_not_yet_sent_go_at_shutdown() -> None:
    assert REDIS_URL is not None

    async def scenario() -> None:
        name = client()
        async with replica() as counters:
            for _ in range(4):
                await counters.hit(name, [MINUTE], 2)
        reader = aioredis.Redis.from_url(REDIS_URL)
        try:
            assert await reader.get(f"{KEY_PREFIX}{{{name}}}:{MINUTE.name}") == b"8"
        finally:
            await reader.aclose()

    asyncio.run(scenario())


def test_a_script_gone_from_redis_is_loaded_again() -> None:
    async def scenario() -> None:
        async with replica() as first, replica() as second:
            name = client()
            await used(first, name)
            await first.exchange()
            first._script = "0" * 40  # as after a Redis restart: the SHA it knows is unknown there
            await used(first, name)
            await first.exchange()
            await used(second, name)
            await second.exchange()
            assert await used(second, name) == [4]

    asyncio.run(scenario())


def test_with_redis_away_each_replica_still_limits_what_it_sees(tmp_path: Path) -> None:
    settings = fixture_settings("sqlite://", tmp_path, redis_url="redis://127.0.0.1:1/0", rate_limit_ip="2/minute",
                                rate_limit_sync_s=0.01)  # fmt: skip
    limiter = RateLimiter(settings)

    async def scenario() -> None:
        try:
            for remaining in ("1", "0"):
                headers = await limiter.hit("ip", "198.51.100.7", limiter.ip_limits)
                assert headers["X-RateLimit-Remaining"] == remaining
            await asyncio.sleep(0.05)  # exchanges were tried, and failed
            with pytest.raises(HdexError) as refused:
                await limiter.hit("ip", "198.51.100.7", limiter.ip_limits)
            assert refused.value.code is ErrorCode.RATE_LIMITED
        finally:
            await limiter.close()  # its last exchange fails too, and the limiter stops all the same

    asyncio.run(scenario())
