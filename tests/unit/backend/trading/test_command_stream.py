"""The replica's side of the command stream: a command Redis never took leaves no request waiting for it."""

from __future__ import annotations

import asyncio
import socket

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from backend.signing import Domain
from backend.trading.usecases.command_stream import CommandStream


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_command_redis_refused_leaves_no_request_waiting_for_its_answer() -> None:
    async def submit() -> CommandStream:
        client = aioredis.Redis(host="127.0.0.1", port=closed_port(), retry=Retry(NoBackoff(), 0))
        stream = CommandStream(client, "hdex:replies:test", max_len=10)
        with pytest.raises(RedisConnectionError):
            await stream.submit("0x" + "ab" * 32, "ticket-1", b"{}", Domain(31337, "0x" + "e1" * 20))
        await client.aclose()
        return stream

    stream = asyncio.run(submit())

    assert stream._waiting == {}  # else every request during a Redis outage would stay in memory for good
