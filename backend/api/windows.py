"""Fixed-window counters for the rate limiter: in memory (one process) or in Redis (shared by replicas).

A hit adds its weight to each of one client's windows (per minute, per second, ...) and returns what each
holds and when it ends; a window starts at its first hit and ends its length later. A refused request is
counted too, so a client that keeps hammering stays refused until its window ends.

In Redis a hit is one script call: it counts every window of the client and reads back what each holds and how
long it has left. Through the `limits` library a check with headers took three round trips (count, then read
the count and its expiry), 2.5 times the CPU (tests/bench/bench_ratelimit.py). The script touches only its
client's keys, all in one Redis Cluster hash slot.

Hits are not batched across requests: tried, it saved a sixth of a replica's CPU per order but cost each
request a turn of the event loop, and one replica in front of the engine then placed fewer orders per second.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

# KEYS: one client's windows; ARGV[1]: the request's weight; ARGV[1 + i]: window i's length in milliseconds.
# Returns, per window, the weight it holds now and the milliseconds it has left.
_HIT = """
local weight = tonumber(ARGV[1])
local counts = {}
for i, key in ipairs(KEYS) do
  local used = redis.call('INCRBY', key, weight)
  local left = redis.call('PTTL', key)
  if left < 0 then
    left = tonumber(ARGV[i + 1])
    redis.call('PEXPIRE', key, left)
  end
  counts[2 * i - 1] = used
  counts[2 * i] = left
end
return counts
"""
KEY_PREFIX = "hdex:rl:"
# How often the memory counters drop the windows that have ended (they would otherwise pile up per IP).
_SWEEP_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class Count:
    """One window after a hit: the weight it holds and when it ends (epoch seconds)."""

    used: int
    ends_at: float


@dataclass(frozen=True, slots=True)
class Window:
    """One limit's window of a client: a name unique among the client's windows, and its length."""

    name: str
    length_ms: int


class Windows(Protocol):
    async def hit(self, client: str, windows: Sequence[Window], weight: int) -> list[Count]:
        """Add `weight` to each of `client`'s `windows`; their counts, in order."""
        ...

    async def close(self) -> None:
        """Let go of any connection (the server is stopping)."""
        ...


class MemoryWindows:
    """The counters of one process (`hdex up` without Redis)."""

    def __init__(self) -> None:
        self._counts: dict[str, list[float]] = {}  # key -> [used, ends_at]
        self._sweep_at = 0.0

    async def hit(self, client: str, windows: Sequence[Window], weight: int) -> list[Count]:
        now = time.time()
        if now >= self._sweep_at:
            self._counts = {key: count for key, count in self._counts.items() if count[1] > now}
            self._sweep_at = now + _SWEEP_EVERY_S
        counts = []
        for window in windows:
            key = f"{client}:{window.name}"
            count = self._counts.get(key)
            if count is None or count[1] <= now:
                count = self._counts[key] = [0, now + window.length_ms / 1000]
            count[0] += weight
            counts.append(Count(int(count[0]), count[1]))
        return counts

    async def close(self) -> None:
        pass


class RedisWindows:
    """The counters every replica shares."""

    def __init__(self, redis_url: str) -> None:
        # Short timeouts: the limiter serves requests rather than refuse everyone while Redis is away, and a
        # request must not wait long to learn that.
        self._redis = aioredis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._script: str | None = None  # the script's SHA1 once loaded

    async def hit(self, client: str, windows: Sequence[Window], weight: int, reload: bool = True) -> list[Count]:
        if self._script is None:
            self._script = str(await self._redis.script_load(_HIT))
        # The client in braces: a Redis Cluster keeps all of one client's windows in one slot.
        keys = [f"{KEY_PREFIX}{{{client}}}:{window.name}" for window in windows]
        try:
            reply = await self._redis.evalsha(
                self._script, len(keys), *keys, weight, *(window.length_ms for window in windows)
            )
        except NoScriptError:  # Redis restarted or its scripts were flushed: load it again, once
            self._script = None
            if not reload:
                raise
            return await self.hit(client, windows, weight, reload=False)
        now = time.time()
        return [Count(int(reply[i]), now + int(reply[i + 1]) / 1000) for i in range(0, len(reply), 2)]

    async def close(self) -> None:
        await self._redis.aclose()
