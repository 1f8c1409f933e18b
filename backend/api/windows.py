"""Fixed-window counters for the rate limiter: in memory (one process) or shared by every replica through Redis.

A hit adds its weight to each of one client's windows (per minute, per second, ...) and returns what each
holds and when it ends; a window starts at its first hit and ends its length later. A refused request is
counted too, so a client that keeps hammering stays refused until its window ends.

Shared counters are counted in the process first and exchanged with Redis every `sync_s` (HDEX_RATE_LIMIT_SYNC_S):
one pipeline sends each window's hits since the last exchange and brings back what every replica has counted and
when the window ends. A request waits for no round trip. Through the `limits` library each check was a round trip
or three; on a replica they cost a fifth of its CPU and a good part of each order's wait, and batching them
across requests traded the one for the other. The price is a bounded lag: a replica knows the others' hits of a
client from its own next exchange on, so a client spreading a burst over N replicas within one exchange gets at
most N times its limit, and is then refused for the rest of the window. With Redis away every replica still
enforces the limits on what it sees itself.

Each exchange calls a script per window that touches only that window's key (a Redis Cluster routes it alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

# KEYS[1]: one window; ARGV[1]: the hits to add; ARGV[2]: the window's length in milliseconds, from its first hit.
# Returns the weight it holds now and the milliseconds it has left.
_HIT = """
local used = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  left = tonumber(ARGV[2])
  redis.call('PEXPIRE', KEYS[1], left)
end
return {used, left}
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


@dataclass(slots=True)
class _Counted:
    """One window as this process sees it."""

    length_ms: int
    ends_at: float
    known: int = 0  # shared: its count in Redis at the last exchange (every replica's hits until then)
    unsent: int = 0  # this process's hits since (in memory: all of them)


class MemoryWindows:
    """The counters of one process (`hdex up` without Redis)."""

    def __init__(self) -> None:
        self._windows: dict[str, _Counted] = {}
        self._sweep_at = 0.0

    async def hit(self, client: str, windows: Sequence[Window], weight: int) -> list[Count]:
        now = time.time()
        if now >= self._sweep_at:  # ended windows go (their unsent hits, if any, count for nothing any more)
            self._windows = {key: window for key, window in self._windows.items() if window.ends_at > now}
            self._sweep_at = now + _SWEEP_EVERY_S
        counts = []
        for window in windows:
            # The client in braces: a Redis Cluster keeps all of one client's windows in one slot.
            key = f"{KEY_PREFIX}{{{client}}}:{window.name}"
            counted = self._windows.get(key)
            if counted is None or counted.ends_at <= now:
                counted = self._windows[key] = _Counted(window.length_ms, now + window.length_ms / 1000)
            counted.unsent += weight
            counts.append(Count(counted.known + counted.unsent, counted.ends_at))
        return counts

    async def close(self) -> None:
        pass


class SharedWindows(MemoryWindows):
    """Counters every replica shares: counted here, exchanged with Redis every `sync_s`."""

    def __init__(self, redis_url: str, sync_s: float) -> None:
        super().__init__()
        # Short timeouts: an exchange that cannot happen must not hold the next one up for long.
        self._redis = aioredis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._sync_s = sync_s
        self._script: str | None = None  # the script's SHA1 once loaded
        self._exchanging: tuple[asyncio.Task[None], asyncio.Event] | None = None  # made in the server's loop
        self._away = False

    async def hit(self, client: str, windows: Sequence[Window], weight: int) -> list[Count]:
        counts = await super().hit(client, windows, weight)
        if self._exchanging is None:
            stopping = asyncio.Event()
            task = asyncio.create_task(self._exchange_until_stopped(stopping), name="rate-limit-exchange")
            self._exchanging = task, stopping
        return counts

    async def _exchange_until_stopped(self, stopping: asyncio.Event) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # asyncio.timeout: 3.11's wait_for can drop a cancellation
                async with asyncio.timeout(self._sync_s):
                    await stopping.wait()
            try:
                await self.exchange()
            except Exception as exc:  # Redis away, or an answer not understood: the hits go with the next exchange
                if not self._away:  # said once; this task must go on, or the replicas never share counts again
                    log.warning("rate-limit counters not shared", extra={"error": repr(exc)})
                self._away = True
            else:
                if self._away:
                    log.info("rate-limit counters shared again")
                self._away = False
            if stopping.is_set():  # after the last exchange
                return

    async def exchange(self) -> None:
        """Send every window's unsent hits; learn what every replica has counted and when each window ends."""
        sent = []
        for key, window in self._windows.items():
            if window.unsent:  # taken now, so that an exchange running meanwhile does not send them too
                sent.append((key, window, window.unsent))
                window.known, window.unsent = window.known + window.unsent, 0
        if not sent:
            return
        try:
            replies = await self._send(sent)
        except BaseException:  # not counted in Redis: they go with the next exchange
            for _key, window, hits in sent:
                window.known, window.unsent = window.known - hits, window.unsent + hits
            raise
        now = time.time()
        for (key, window, _hits), (used, left) in zip(sent, replies, strict=True):
            if self._windows.get(key) is window:  # not ended and started anew meanwhile
                window.known = int(used)  # every replica's hits until now; this process's since stay unsent
                window.ends_at = now + int(left) / 1000  # the window as Redis keeps it: from its first hit anywhere

    async def _send(self, sent: list[tuple[str, _Counted, int]], reload: bool = True) -> list[list[int]]:
        if self._script is None:
            self._script = str(await self._redis.script_load(_HIT))
        pipeline = self._redis.pipeline(transaction=False)
        for key, window, hits in sent:
            pipeline.evalsha(self._script, 1, key, hits, window.length_ms)
        try:
            return list(await pipeline.execute())
        except NoScriptError:  # Redis restarted or its scripts were flushed: load it again, once
            self._script = None
            if not reload:
                raise
            return await self._send(sent, reload=False)

    async def close(self) -> None:
        """Stop exchanging, after a last exchange of the hits not sent yet. The exchanging task is asked to
        stop rather than cancelled: redis-py can swallow a cancel that lands inside a pipeline."""
        if self._exchanging is not None:
            task, stopping = self._exchanging
            stopping.set()
            await task
            self._exchanging = None
        await self._redis.aclose()
