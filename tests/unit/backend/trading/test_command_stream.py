"""The command stream: on the replica's side, a command Redis never took leaves no request waiting for it; on the
engine's, an order placed in a batch that could not be stored is never answered later from that placing."""

from __future__ import annotations

import asyncio
import functools
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
from backend.trading.usecases.command_stream import Answer, CommandConsumer, CommandStream, Entry, Placed


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


class DroppedPipeline:
    """A Redis transaction whose connection goes while it is on its way: it may have run, or not."""

    def __getattr__(self, command: str) -> Any:
        return lambda *args, **kwargs: None  # xadd, expire, xack, xdel: queued

    async def execute(self) -> None:
        raise RedisConnectionError("Connection closed by server.")


def test_entries_whose_answers_may_have_gone_out_are_forgotten_after_three_lease_terms() -> None:
    """Kept until a claim brought them back, they stayed in memory for good when the answers had gone out: then
    the entries went with them and never come back."""
    term_s = 30.0

    async def faults() -> list[list[bytes]]:
        client: Any = SimpleNamespace(pipeline=lambda transaction: DroppedPipeline())
        consumer = CommandConsumer(client, lambda: None, lambda host, order_hash: None, "engine-1", term_s, lambda: 0.0)
        loop = asyncio.get_running_loop()
        kept = []
        for entry_id, at in ((b"1-0", 0.0), (b"2-0", 2 * term_s), (b"3-0", 3 * term_s + 1)):
            loop.time = functools.partial(float, at)  # type: ignore[method-assign]  # the loop's clock, set by hand
            durable = loop.create_future()
            durable.set_result(None)
            answer = Answer("t", order={"hash": "0x01"})
            await consumer._store_and_answer(durable, [(Entry(entry_id, "t", "hdex:replies:r1", b"{}", b""), answer)])
            kept.append(list(consumer._maybe_answered))
        return kept

    assert asyncio.run(faults()) == [[b"1-0"], [b"1-0", b"2-0"], [b"2-0", b"3-0"]]
