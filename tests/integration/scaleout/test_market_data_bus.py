"""The Redis market-data bus (issue 17): a process's own messages reach its hub at once and never come back
from Redis; a hub reads from Redis only the channels its clients watch, each from the moment `watch` returns,
also after its connection was cut (the subscribers of what other processes publish then told of the gap);
exchanges on two databases of one Redis do not hear each other."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline, PubSub

from backend.marketdata.bus import RedisBus, channel_prefix

from .lost_cancel import LostCancel
from .test_replicas import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")


def database(number: int | None = None) -> str:
    """This worker's Redis database (each xdist worker has its own, so its channels are its own), or another by
    `number`. Nothing here stores keys, so nothing is emptied: another test's keys in it stay as they are."""
    assert REDIS_URL is not None
    return REDIS_URL if number is None else REDIS_URL.rsplit("/", 1)[0] + f"/{number}"

Received = list[tuple[str, dict[str, Any]]]


@asynccontextmanager
async def running(url: str, remote_channels: tuple[str, ...] | None = None) -> AsyncIterator[tuple[RedisBus, Received]]:
    bus, received = RedisBus(url, remote_channels), []
    await bus.start(lambda key, message: received.append((key, message)))
    try:
        yield bus, received
    finally:
        await bus.stop()


async def until(condition: Callable[[], Any], what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s} s: {what}"
        await asyncio.sleep(0.01)


async def subscribers(client: aioredis.Redis, url: str, key: str) -> int:
    [(_channel, count)] = await client.pubsub_numsub(channel_prefix(url) + key)
    return int(count)


def test_a_process_gets_its_own_messages_at_once_and_never_back_from_redis() -> None:
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        watcher = client.pubsub()  # another process's hub watching the same channel
        await watcher.subscribe(channel_prefix(url) + "book:A")
        async with running(url) as (bus, received):
            await bus.watch("book:A")
            bus.publish([("book:A", {"seq": 1})])
            assert received == [("book:A", {"seq": 1})]  # before any await: no round trip through Redis

            seen = await watcher.get_message(timeout=10)
            while seen is not None and seen["type"] != "message":  # the watcher's own confirmation first
                seen = await watcher.get_message(timeout=10)
            assert seen is not None and seen["data"].endswith(b'{"seq":1}')  # it did go to Redis
            await client.publish(channel_prefix(url) + "book:A", json.dumps({"seq": 2}))
            # Redis sent our own message to this bus before the later one: had it not been skipped, it would be
            # delivered a second time before this one
            await until(lambda: len(received) == 2, "the other publisher's message")
            assert received == [("book:A", {"seq": 1}), ("book:A", {"seq": 2})]
        await watcher.aclose()
        await client.aclose()

    asyncio.run(scenario())


def test_a_hub_reads_from_redis_only_the_channels_its_clients_watch() -> None:
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        async with running(url) as (bus, received), running(url) as (publisher, _own):
            await until(lambda: bus._pubsub is not None, "the listener connected")
            assert await subscribers(client, url, "book:A") == 0  # nothing reaches this process of book:A

            await bus.watch("book:A")
            assert await subscribers(client, url, "book:A") == 1
            publisher.publish([("book:A", {"seq": 2}), ("book:B", {"seq": 1})])
            await until(lambda: received, "the watched channel's message")

            bus.unwatch("book:A")
            await _until_subscribers(client, url, "book:A", 0)
            await bus.watch("book:C")
            # one publisher's messages reach Redis in order: had A's come, it would come before C's
            publisher.publish([("book:A", {"seq": 3}), ("book:C", {"seq": 1})])
            await until(lambda: len(received) == 2, "the newly watched channel's message")
            assert received == [("book:A", {"seq": 2}), ("book:C", {"seq": 1})]
        await client.aclose()

    asyncio.run(scenario())


async def _until_subscribers(client: aioredis.Redis, url: str, key: str, count: int) -> None:
    deadline = time.monotonic() + 15
    while await subscribers(client, url, key) != count:
        assert time.monotonic() < deadline, f"{key} never had {count} subscribers"
        await asyncio.sleep(0.02)


def test_a_watch_returns_once_the_channels_messages_arrive_also_after_the_connection_was_cut_with_a_gap() -> None:
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        async with running(url, remote_channels=("account",)) as (bus, received):
            await bus.watch("book:A")  # published in this process (the engine's): nothing of it goes missing
            for round_ in range(20):  # a watch that returned before Redis took the SUBSCRIBE would lose one
                key = f"account:0x{round_:040x}"
                await bus.watch(key)
                await client.publish(channel_prefix(url) + key, json.dumps({"round": round_}))
            await until(lambda: len(received) == 20, "every round's message")
            assert all("op" not in message for _key, message in received)  # no gap on the first connection

            assert bus._pubsub is not None and bus._pubsub.connection is not None
            host, port = bus._pubsub.connection._writer.get_extra_info("sockname")[:2]  # type: ignore[union-attr]
            await client.client_kill(f"{host}:{port}")  # a network fault, a Redis failover
            await _until_subscribers(client, url, key, 0)
            await client.publish(channel_prefix(url) + key, json.dumps({"round": "lost"}))  # heard by nobody
            await _until_subscribers(client, url, key, 1)
            await client.publish(channel_prefix(url) + key, json.dumps({"round": "after"}))
            await until(lambda: received[-1][1] == {"round": "after"}, "the message after the reconnection")
        await client.aclose()
        # every watched account channel is told it may have lost messages, each before anything after its new
        # subscription; the book, whose messages never come through Redis here, is not
        after = received[20:]
        assert sorted(k for k, m in after if m.get("op") == "gap") == sorted(f"account:0x{r:040x}" for r in range(20))
        assert all(m == {"op": "gap", "channel": k} for k, m in after[:-1])
        assert after[-1] == (key, {"round": "after"})

    asyncio.run(scenario())


def test_a_watch_or_unwatch_while_the_listener_waits_to_reconnect_leaves_no_unread_subscriber(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sent on the connection that just failed, a (un)subscribe makes redis-py open another one, subscribed and
    never read: Redis then keeps every message of the channel for it until its output limit drops it."""
    from backend.marketdata import bus as bus_module

    monkeypatch.setattr(bus_module, "LISTEN_RETRY_S", 60.0)  # the pause lasts the whole test
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        async with running(url, remote_channels=("account",)) as (bus, _received):
            await bus.watch("account:0xaa")
            assert bus._pubsub is not None and bus._pubsub.connection is not None
            host, port = bus._pubsub.connection._writer.get_extra_info("sockname")[:2]  # type: ignore[union-attr]
            await client.client_kill(f"{host}:{port}")
            await until(lambda: bus._away, "the listener in its pause")
            await bus.watch("account:0xbb")
            bus.unwatch("account:0xaa")
            await until(lambda: len(bus._tasks) == 2, "no (un)subscribe left in flight")  # the listener, the sender
            assert await subscribers(client, url, "account:0xbb") == 0
            assert await subscribers(client, url, "account:0xaa") == 0
        await client.aclose()

    asyncio.run(scenario())


def test_exchanges_on_two_databases_of_one_redis_do_not_hear_each_other() -> None:
    ours = database()
    theirs = database(9 if not ours.endswith("/9") else 10)

    async def scenario() -> None:
        async with running(ours) as (bus, received), running(theirs) as (other, _own):
            await bus.watch("book:A")
            other.publish([("book:A", {"seq": 99})])
            bus.publish([("book:B", {"seq": 1})])
            marker = aioredis.Redis.from_url(ours)
            await marker.publish(channel_prefix(ours) + "book:A", json.dumps({"seq": 1}))
            await until(lambda: ("book:A", {"seq": 1}) in received, "our own exchange's message")
            assert ("book:A", {"seq": 99}) not in received
            await marker.aclose()

    asyncio.run(scenario())


def test_an_unreadable_message_on_a_channel_does_not_stop_the_listener() -> None:
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        async with running(url) as (bus, received):
            await bus.watch("ticker:A")
            await client.publish(channel_prefix(url) + "ticker:A", b"not json")  # anyone may publish to a channel
            await client.publish(channel_prefix(url) + "ticker:A", json.dumps({"last": "5"}))
            await until(lambda: received, "the next message")
            assert received == [("ticker:A", {"last": "5"})]
        await client.aclose()

    asyncio.run(scenario())


def test_with_redis_away_a_watch_returns_at_once_and_own_messages_still_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from backend.marketdata import bus as bus_module

    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(bus_module, "WATCH_TIMEOUT_S", 60.0)  # were it waited for, the test would time out

    async def scenario() -> None:
        async with running(f"redis://127.0.0.1:{port}/13") as (bus, received):
            await until(lambda: bus._away, "the failed connection seen")
            await asyncio.wait_for(bus.watch("book:A"), 30)
            bus.publish([("book:A", {"seq": 1})])
            assert received == [("book:A", {"seq": 1})]

    asyncio.run(scenario())


def test_a_batchs_messages_on_one_channel_travel_as_one_redis_message_and_arrive_in_order() -> None:
    url = database()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(url)
        watcher = client.pubsub()
        await watcher.subscribe(channel_prefix(url) + "book:A")
        async with running(url) as (bus, received), running(url) as (publisher, _own):
            await bus.watch("book:A")
            await bus.watch("account:0xabc")
            publisher.publish([("book:A", {"seq": 1}), ("account:0xabc", {"type": "order"}), ("book:A", {"seq": 2})])
            publisher.publish([("book:A", {"seq": 3})])

            await until(lambda: len(received) == 4, "every message")
            assert [m for k, m in received if k == "book:A"] == [{"seq": 1}, {"seq": 2}, {"seq": 3}]
            assert ("account:0xabc", {"type": "order"}) in received
            raw = []
            while len(raw) < 2:
                message = await watcher.get_message(timeout=10)
                assert message is not None, "the watcher heard nothing"
                if message["type"] == "message":
                    raw.append(message["data"].partition(b" ")[2])
            assert [json.loads(r) for r in raw] == [[{"seq": 1}, {"seq": 2}], {"seq": 3}]  # one PUBLISH per batch
        await watcher.aclose()
        await client.aclose()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("where", "method", "answer"),
    [(Pipeline, "execute", []), (PubSub, "get_message", None)],
    ids=["the sender's publish", "the listener's read"],
)
def test_a_stop_ends_the_bus_when_redis_py_answers_the_cancel_of_a_command(
    monkeypatch: pytest.MonkeyPatch, where: type, method: str, answer: Any
) -> None:
    """The first publish, or the first read, loses its cancel (`LostCancel`; a read did so in the listener of a
    benchmark's engine process, which then read and pinged for good): the bus must still stop, or the engine
    process's stop waits on it for good."""
    own, lost = getattr(where, method), LostCancel()

    async def answers_a_cancel(*args: Any, **kwargs: Any) -> Any:
        return await own(*args, **kwargs) if lost.swallowed else await lost.answer(answer)

    async def scenario() -> bool:
        monkeypatch.setattr(where, method, answers_a_cancel)
        bus = RedisBus(database())
        await bus.start(lambda key, message: None)
        bus.publish([("book:A", {"seq": 1})])  # for the sender: a batch to publish
        assert await asyncio.to_thread(lost.waiting.wait, 10)
        stopping = asyncio.create_task(bus.stop())
        done, _ = await asyncio.wait([stopping], timeout=10)
        assert lost.swallowed
        return stopping in done

    assert asyncio.run(scenario()), "the bus's stop still waiting after 10 s"
