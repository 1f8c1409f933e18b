"""Fan-out of channel messages between processes: Redis pub/sub, or in-process delivery.

A bus carries `(channel key, message)` pairs from the process that owns the engine (and from workers
telling a wallet about its settlements) to the hub of every process serving WebSocket clients. What a
process publishes reaches its own hub at once, in order; from Redis a hub receives only the channels it
has subscribers for (`watch`), never its own messages back. Ordering per channel is preserved (one
publisher, one Redis connection, FIFO); a batch's messages on one channel travel as one Redis message.
A listener that hears nothing pings Redis, and takes a connection that answers nothing, not even the ping, for
dead: it connects again (a half-open connection or a stalled Redis would otherwise look like a quiet one).
What other processes published while the listener was away is lost (pub/sub keeps nothing): once Redis confirms
a channel again, its subscribers get `{"op": "gap", "channel": key}`, telling them to read the channel's state
afresh. Only channels other processes publish on (`remote_channels`) lost anything: in the engine process, the
account channel, on which workers send a wallet's settlements and withdrawals; its own book, trades, candles and
tickers never travel through Redis to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.connection import parse_url

from backend.cancellation import raise_if_cancelled

log = logging.getLogger(__name__)

Deliver = Callable[[str, dict[str, Any]], None]
PREFIX = "hdex:md:"
# Batches waiting to be published at most: a Redis that stalls (no answer, no refusal) must not make the engine
# process hold every batch it publishes meanwhile; past it batches are dropped (other processes' clients see the
# book's seq jump and resubscribe). A publish that waits longer than PUBLISH_TIMEOUT_S fails and the next goes on.
PUBLISH_QUEUE_BATCHES = 1_000
PUBLISH_TIMEOUT_S = 5.0
WATCH_TIMEOUT_S = 2.0  # how long `watch` waits for Redis to confirm; past it, the listener's next connection does
# The listener's health check: a PING once it has heard nothing for LISTEN_PING_S, and the connection dropped (and
# made again) once nothing at all came for LISTEN_DEAD_S. redis-py's `health_check_interval` sends a PING too but
# never waits for its answer, and TCP keepalive does not notice a peer whose kernel still answers (Redis stopped,
# a proxy in between that keeps the client's side open): `get_message` would return None for good.
LISTEN_PING_S = 5.0
LISTEN_DEAD_S = 15.0
LISTEN_READ_S = 1.0  # one wait for a message
LISTEN_RETRY_S = 1.0  # between a failed connection and the next


def channel_prefix(redis_url: str) -> str:
    """The channel prefix of the exchange whose keys live in `redis_url`'s database. Pub/sub ignores database
    numbers, so without the number two exchanges (or two test runs) on one Redis would hear each other."""
    db = parse_url(redis_url).get("db") or 0  # type: ignore[no-untyped-call]  # redis-py's own URL reading
    return f"{PREFIX}{db}:"


class Bus(Protocol):
    """Where published messages go on their way to every hub."""

    async def start(self, deliver: Deliver) -> None:
        """Begin delivering every message published anywhere to `deliver`."""

    def publish(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Send messages, in order (never blocks the event loop)."""

    async def watch(self, key: str) -> None:
        """Deliver `key`'s messages published by other processes too; returns once they are on their way."""

    def unwatch(self, key: str) -> None:
        """No subscriber here wants `key` any more."""

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

    async def watch(self, key: str) -> None:
        """Nothing to do: every message is published in this process."""

    def unwatch(self, key: str) -> None:
        pass

    async def stop(self) -> None:
        self._deliver = None


class RedisBus:
    """Redis pub/sub: one channel per key under `channel_prefix`, subscribed while this process's hub has
    subscribers for the key. What this process publishes goes to its own hub directly and to Redis tagged with
    this bus's origin, so that the listener can skip it: an engine process whose own clients watch a busy
    book no longer reads each delta back, and one whose clients watch nothing reads nothing."""

    def __init__(self, url: str, remote_channels: tuple[str, ...] | None = None) -> None:
        self._url = url
        # the channels (`account`, ...) whose messages come from other processes: they get gap notices (None: all)
        self._remote_channels = remote_channels
        self._client: aioredis.Redis | None = None
        self._prefix = channel_prefix(url)
        origin = secrets.token_hex(8)
        self._tag = f"@{origin} ".encode()  # leads this process's messages
        self._control = f"{self._prefix}bus:{origin}"  # its own channel: the listener always has one to read
        self._local = InProcessBus()  # this process's own messages
        self._queue: asyncio.Queue[list[tuple[str, dict[str, Any]]]] = asyncio.Queue(PUBLISH_QUEUE_BATCHES)
        self._publisher: aioredis.Redis | None = None  # its own client: a publish times out, a listen must not
        self.dropped = 0  # batches not published to Redis because the queue was full
        self._tasks: list[asyncio.Task[None]] = []
        self._pubsub: aioredis.client.PubSub | None = None  # the listener's, while it is connected
        self._watched: dict[str, asyncio.Future[None]] = {}  # channel -> done once Redis confirmed it
        self._unconfirmed: dict[str, int] = {}  # channel -> SUBSCRIBE commands sent and not yet confirmed
        self._away = False  # the listener's last connection failed: Redis is unreachable
        self._connected = False  # the listener has had a connection: a new one may have missed messages
        self._interrupted: set[str] = set()  # channels that get a gap notice once Redis confirms them again
        self._clock: Callable[[], float] = time.monotonic  # the listener's, for its health check

    async def start(self, deliver: Deliver) -> None:
        """Start sending and listening; an unreachable Redis is retried, never fatal (see /health)."""
        # The listener's: TCP keepalive (redis-py's default, said here) for a peer gone from the network; the
        # listener's own PING for one that is there and answers nothing (`_listen_on`)
        self._client = aioredis.Redis.from_url(self._url, socket_keepalive=True)
        self._publisher = aioredis.Redis.from_url(self._url, socket_timeout=PUBLISH_TIMEOUT_S)
        await self._local.start(deliver)
        self._tasks = [
            asyncio.create_task(self._listen(deliver)),
            asyncio.create_task(self._send()),
        ]

    def publish(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        self._local.publish(messages)
        try:
            self._queue.put_nowait(messages)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % PUBLISH_QUEUE_BATCHES == 0:
                log.warning("market data not published: Redis does not keep up", extra={"dropped": self.dropped})

    async def watch(self, key: str) -> None:
        channel = self._prefix + key
        confirmed = self._watched.get(channel)
        if confirmed is None:
            confirmed = self._watched[channel] = asyncio.get_running_loop().create_future()
            if self._pubsub is not None:
                self._subscribe(self._pubsub, [channel])
        # Redis away: nothing comes from other processes until the listener is back and subscribes then, and a
        # WebSocket client is not kept waiting for it
        if not self._away:
            await self._wait(confirmed, key)

    def unwatch(self, key: str) -> None:
        channel = self._prefix + key
        self._interrupted.discard(channel)
        confirmed = self._watched.pop(channel, None)
        if confirmed is not None:
            confirmed.cancel()
            if self._pubsub is not None:
                self._command(self._pubsub.unsubscribe(channel))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._local.stop()
        for client in (self._client, self._publisher):
            if client is not None:
                await client.aclose()

    async def _wait(self, confirmed: asyncio.Future[None], key: str) -> None:
        try:
            async with asyncio.timeout(WATCH_TIMEOUT_S):
                await asyncio.shield(confirmed)
        except TimeoutError:  # Redis slow or away: the subscription stands once it is back
            log.warning("market-data channel not confirmed by Redis in time", extra={"channel": key})
        except asyncio.CancelledError:
            if not confirmed.cancelled():  # our own waiter was cancelled, not the watch ended by `unwatch`
                raise

    def _subscribe(self, pubsub: aioredis.client.PubSub, channels: list[str]) -> None:
        for channel in channels:
            self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
        self._command(pubsub.subscribe(*channels))

    def _command(self, sent: Awaitable[Any]) -> None:
        """Send a (un)subscribe in the background: a failure is the listener's to see (it reconnects)."""

        async def send() -> None:
            with contextlib.suppress(aioredis.RedisError, OSError):
                await sent

        task = asyncio.create_task(send())
        self._tasks.append(task)
        task.add_done_callback(self._tasks.remove)

    def _confirmed(self, channel: str, deliver: Deliver) -> None:
        """Redis confirmed a SUBSCRIBE: once the last one sent is, the channel's messages are on their way (one
        unwatched and watched again is confirmed twice, and the first confirmation came before the UNSUBSCRIBE),
        and a channel watched across a lost connection tells its subscribers of the gap."""
        left = self._unconfirmed.pop(channel, 0) - 1
        if left > 0:
            self._unconfirmed[channel] = left
            return
        confirmed = self._watched.get(channel)
        if confirmed is not None and not confirmed.done():
            confirmed.set_result(None)
        if channel in self._interrupted:
            self._interrupted.discard(channel)
            key = channel.removeprefix(self._prefix)
            deliver(key, {"op": "gap", "channel": key})

    async def _send(self) -> None:
        assert self._publisher is not None
        while True:
            raise_if_cancelled()  # a cancel landing inside the pipeline below can be lost there
            messages = await self._queue.get()
            # One PUBLISH per channel per batch, its messages in a JSON array (a single one as itself): a batch of
            # 512 orders was about 1,500 PUBLISH commands to pack and answers to read, for the engine and Redis.
            by_key: dict[str, list[dict[str, Any]]] = {}
            for key, message in messages:
                by_key.setdefault(key, []).append(message)
            try:
                async with self._publisher.pipeline(transaction=False) as pipe:
                    for key, group in by_key.items():
                        body = group[0] if len(group) == 1 else group
                        pipe.publish(self._prefix + key, self._tag + json.dumps(body, separators=(",", ":")).encode())
                    await pipe.execute()
            except (aioredis.RedisError, OSError) as exc:
                log.warning("market data not published to Redis", extra={"error": str(exc)})

    async def _listen(self, deliver: Deliver) -> None:
        assert self._client is not None
        while True:
            raise_if_cancelled()  # one lost by a command before the retry's pause (see `_listen_on`)
            try:
                async with self._client.pubsub() as pubsub:
                    self._unconfirmed.clear()
                    await pubsub.subscribe(self._control)
                    if self._connected or self._away:  # messages may have been published to nobody meanwhile
                        self._interrupted = {channel for channel in self._watched if self._remote(channel)}
                    self._pubsub, self._away, self._connected = pubsub, False, True
                    if self._watched:
                        self._subscribe(pubsub, list(self._watched))
                    await self._listen_on(pubsub, deliver)
            except (aioredis.RedisError, OSError) as exc:
                log.warning("Redis market-data subscription failed; retrying", extra={"error": str(exc)})
                # Before the pause: a (un)subscribe sent on the dead connection meanwhile would open another one,
                # subscribed and never read, on which Redis keeps the channel's messages until it drops it.
                self._pubsub, self._away = None, True
                await asyncio.sleep(LISTEN_RETRY_S)
            finally:
                self._pubsub = None

    async def _listen_on(self, pubsub: aioredis.client.PubSub, deliver: Deliver) -> None:
        """Deliver what one connection brings until it fails, pinging Redis when it is quiet; raises
        ConnectionError once nothing came for LISTEN_DEAD_S, not even the answer to a ping."""
        heard = pinged = self._clock()
        while True:
            raise_if_cancelled()  # lost in a read's timeout once (seen): the listener read and pinged on for good
            message = await pubsub.get_message(timeout=LISTEN_READ_S)
            now = self._clock()
            if message is not None:  # a pong too: the connection is alive
                heard = now
                self._receive(message, deliver)
            elif now - heard >= LISTEN_DEAD_S:
                raise aioredis.ConnectionError(f"Redis answered nothing for {now - heard:.0f} s, not even a PING")
            elif now - max(heard, pinged) >= LISTEN_PING_S:
                await pubsub.ping()
                pinged = now

    def _remote(self, channel: str) -> bool:
        name = channel.removeprefix(self._prefix).partition(":")[0]
        return self._remote_channels is None or name in self._remote_channels

    def _receive(self, message: dict[str, Any], deliver: Deliver) -> None:
        if message["type"] == "subscribe":
            self._confirmed(message["channel"].decode(), deliver)
            return
        data: bytes = message["data"]
        if message["type"] != "message" or data.startswith(self._tag):  # our own: delivered when published
            return
        channel = message["channel"].decode()
        if data.startswith(b"@"):  # another engine process's
            data = data.partition(b" ")[2]
        try:
            body = json.loads(data)
        except ValueError:  # not ours to stop the listener over (anyone may publish to a channel)
            log.warning("unreadable market-data message skipped", extra={"channel": channel})
            return
        key = channel.removeprefix(self._prefix)
        for one in body if isinstance(body, list) else (body,):  # a batch's messages on the channel, in order
            deliver(key, one)
