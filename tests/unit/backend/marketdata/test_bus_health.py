"""The Redis bus's listener notices a connection that answers nothing: it pings Redis when it has heard nothing
for a while and, when not even the ping is answered, drops the connection and makes a new one (the reconnect path
a refused connection takes). A half-open connection or a stopped Redis would otherwise look like a quiet channel,
and a wallet's account updates would stop without a word. The connection is faked at redis-py's PubSub, on a
clock of the test's own: a wait for a message passes only the time the fake says it took."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.marketdata import bus as bus_module
from backend.marketdata.bus import LISTEN_DEAD_S, LISTEN_PING_S, LISTEN_READ_S, RedisBus

READS = 1_000  # a scenario ends after this many reads on one connection, or once a second connection is made


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class FakePubSub:
    """One connection to Redis. It confirms SUBSCRIBE; it answers a PING with a pong if `answers`; with
    `traffic_every_s`, a trade arrives that often; otherwise each wait passes its whole timeout with nothing."""

    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis
        self.inbox: list[dict[str, Any]] = []
        self.pings = self.reads = 0
        self.closed = False

    async def __aenter__(self) -> FakePubSub:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.closed = True

    async def subscribe(self, *channels: str) -> None:
        self.inbox += [{"type": "subscribe", "channel": c.encode(), "data": 1, "pattern": None} for c in channels]

    async def unsubscribe(self, *channels: str) -> None:
        pass

    async def ping(self) -> None:
        self.pings += 1
        if self.redis.answers:
            self.inbox.append({"type": "pong", "channel": None, "data": b"", "pattern": None})

    async def get_message(self, timeout: float) -> dict[str, Any] | None:
        self.reads += 1
        if self.reads > READS:
            self.redis.done.set()
            await asyncio.Event().wait()  # cancelled by the scenario
        await asyncio.sleep(0)
        if self.inbox:
            return self.inbox.pop(0)
        if self.redis.traffic_every_s is not None:
            self.redis.clock.now += self.redis.traffic_every_s
            channel = f"{self.redis.prefix}trades:M".encode()
            return {"type": "message", "channel": channel, "data": b'{"id": "%d"}' % self.reads, "pattern": None}
        self.redis.clock.now += timeout  # nothing came within the wait
        return None


class FakeRedis:
    """The listener's client: each `pubsub()` is a new connection."""

    def __init__(self, answers: bool, traffic_every_s: float | None = None) -> None:
        self.clock = Clock()
        self.answers, self.traffic_every_s = answers, traffic_every_s
        self.prefix = ""
        self.connections: list[FakePubSub] = []
        self.done = asyncio.Event()

    def pubsub(self) -> FakePubSub:
        if self.connections:  # a second connection: the scenario has seen what it looks for
            self.done.set()
        self.connections.append(FakePubSub(self))
        return self.connections[-1]


class Seen:
    """What one connection went through, read before the scenario stops the listener."""

    def __init__(self, connection: FakePubSub) -> None:
        self.pings, self.reads, self.closed = connection.pings, connection.reads, connection.closed


async def listen(redis: FakeRedis) -> tuple[list[Seen], int]:
    """Run the bus's listener on `redis` until it reconnected once or read READS times on one connection: what
    each connection went through, and how many messages were delivered."""
    bus = RedisBus("redis://127.0.0.1:1/0")
    bus._client = redis  # type: ignore[assignment]
    bus._clock = redis.clock
    redis.prefix = bus._prefix
    delivered: list[str] = []
    listener = asyncio.create_task(bus._listen(lambda key, message: delivered.append(key)))
    try:
        await asyncio.wait_for(redis.done.wait(), timeout=60)  # a bound on a hang, not a timing the test needs
        return [Seen(connection) for connection in redis.connections], len(delivered)
    finally:
        listener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listener


@pytest.fixture(autouse=True)
def no_retry_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bus_module, "LISTEN_RETRY_S", 0.0)


def test_a_connection_that_answers_nothing_not_even_a_ping_is_dropped_and_made_again() -> None:
    connections, _ = asyncio.run(listen(FakeRedis(answers=False)))
    assert len(connections) == 2, "the listener kept waiting on a connection that answered nothing"
    first = connections[0]
    assert first.closed and first.pings >= 1  # it asked before giving up
    # it gave up once it had heard nothing for LISTEN_DEAD_S (the first read brought the SUBSCRIBE's confirmation)
    assert first.reads - 1 == LISTEN_DEAD_S / LISTEN_READ_S


def test_a_quiet_connection_that_answers_its_pings_is_kept_and_pinged_every_few_seconds() -> None:
    connections, _ = asyncio.run(listen(FakeRedis(answers=True)))
    assert len(connections) == 1 and not connections[0].closed
    quiet_s = connections[0].reads * LISTEN_READ_S  # at most: a pong takes no time
    assert quiet_s > 10 * LISTEN_DEAD_S
    assert connections[0].pings >= quiet_s / (LISTEN_PING_S + LISTEN_READ_S) - 1


def test_a_busy_connection_is_neither_pinged_nor_dropped() -> None:
    connections, delivered = asyncio.run(listen(FakeRedis(answers=False, traffic_every_s=LISTEN_PING_S / 2)))
    assert len(connections) == 1 and not connections[0].closed
    assert connections[0].pings == 0
    assert delivered == READS - 1  # every read but the SUBSCRIBE's confirmation brought a trade
