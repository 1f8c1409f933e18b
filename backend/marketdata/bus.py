"""Fan-out of channel messages between processes: Redis pub/sub, or in-process delivery.

A bus carries `(channel key, message)` pairs from the process that owns the engine to every API
process's hub. Ordering per channel is preserved (one publisher, one Redis connection, FIFO).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

import redis.asyncio as aioredis

log = logging.getLogger(__name__)

Deliver = Callable[[str, dict[str, Any]], None]
PREFIX = "hdex:md:"


class Bus(Protocol):
    """Where published messages go on their way to every hub."""

    async def start(self, deliver: Deliver) -> None:
        """Begin delivering every message published anywhere to `deliver`."""

    def publish(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Send messages, in order (never blocks the event loop)."""

    async def stop(self) -> None:
        """Stop delivering; drop the connections."""


class InProcessBus:
    """The embedded shape: published messages are delivered right away, in this process only."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    def publish(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        if self._deliver is not None:
            for key, message in messages:
                self._deliver(key, message)

    async def stop(self) -> None:
        self._deliver = None


class RedisBus:
    """Redis pub/sub: one channel per key under `hdex:md:`, a pattern subscription per process."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: aioredis.Redis | None = None
        self._queue: asyncio.Queue[list[tuple[str, dict[str, Any]]]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, deliver: Deliver) -> None:
        """Start sending and listening; an unreachable Redis is retried, never fatal (see /health)."""
        self._client = aioredis.Redis.from_url(self._url)
        self._tasks = [
            asyncio.create_task(self._listen(deliver)),
            asyncio.create_task(self._send()),
        ]

    def publish(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        self._queue.put_nowait(messages)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()

    async def _send(self) -> None:
        assert self._client is not None
        while True:
            messages = await self._queue.get()
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for key, message in messages:
                        pipe.publish(PREFIX + key, json.dumps(message, separators=(",", ":")))
                    await pipe.execute()
            except (aioredis.RedisError, OSError) as exc:
                log.warning("market data not published to Redis", extra={"error": str(exc)})

    async def _listen(self, deliver: Deliver) -> None:
        assert self._client is not None
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.psubscribe(PREFIX + "*")
                    while True:
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                        if message is not None:
                            channel = message["channel"].decode()
                            deliver(channel.removeprefix(PREFIX), json.loads(message["data"]))
            except (aioredis.RedisError, OSError) as exc:
                log.warning("Redis market-data subscription failed; retrying", extra={"error": str(exc)})
                await asyncio.sleep(1.0)
