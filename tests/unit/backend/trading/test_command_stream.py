"""The command stream: on the replica's side, a command Redis never took leaves no request waiting for it; on the
engine's, an order placed in a batch that could not be stored is never answered later from that placing."""

from __future__ import annotations

import asyncio
import socket
from types import SimpleNamespace
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from backend.errors import ErrorCode, HdexError
from backend.signing import Domain
from backend.trading.usecases.command_stream import CommandConsumer, CommandStream, Entry, Placed


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


def test_an_order_of_a_batch_that_could_not_be_stored_is_not_answered_from_memory_later() -> None:
    """Its host stopped (a storage fault); a redelivered copy goes to the next host, which places it afresh or
    finds it in what it restored. Kept, the entry would answer that copy with the stopped host's order (a state
    that never reached the database), and it stayed in memory for good."""

    async def store_fails() -> dict[str, Any]:
        redis: Any = None  # never reached: the batch is not stored, so nothing is answered
        consumer = CommandConsumer(redis, lambda: None, lambda host, order_hash: None, "engine-1", 30.0, lambda: 0.0)
        tracked: Any = SimpleNamespace(hash="0x" + "ab" * 32)
        consumer._unanswered[tracked.hash] = tracked  # as `_place` leaves it
        durable = asyncio.get_running_loop().create_future()
        durable.set_exception(HdexError(ErrorCode.UNAVAILABLE, "the journal could not be written"))
        entry = Entry(b"1-0", "ticket-1", "hdex:replies:r1", b"{}", b"")
        await consumer._store_and_answer(durable, [(entry, Placed(tracked.hash, {}))])
        return dict(consumer._unanswered)

    assert asyncio.run(store_fails()) == {}
