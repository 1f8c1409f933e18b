"""The write path between API replicas and an engine process, over a Redis stream (issue 17).

A replica (`hdex api`) checks what needs no account state (the order's shape and its signature) and adds a
`place` command to `STREAM`. The command's id is the order's hash, so the same signed order sent twice, by
one replica retrying or by two, is one command; a `ticket` names the request waiting for the answer and
`reply` the replica's own answer stream. The engine process (`hdex engine serve`) reads the stream in the
consumer group `GROUP`, hands a batch of commands to the engine host, waits until the batch is durable,
answers each on its replica's stream, and only then acknowledges and deletes the entries. Hence:

- an engine that dies before acknowledging gets the entries again when it restarts under the same consumer
  name (they stay pending for it), and a standing-by engine process that takes over from it under another name
  claims them (only the engine lease's holder reads the stream, so another consumer's pending entries are
  orphans); one already applied is known by its hash and answered with the order as stored, never placed
  twice, so nothing acknowledged is lost or repeated;
- a replica that dies loses only the answers to requests it had not answered yet (the orders stand);
- the stream holds at most `max_len` commands not yet done: past that a replica refuses at once (503 with
  Retry-After) instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError
from backend.signing import order_digest
from backend.trading.hosting.commands import PlaceOrder
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.service import TradingService
from backend.trading.rules.orders import OrderRequest, TrackedOrder, parse_order_request
from backend.trading.usecases.order_entry import order_view
from backend.trading.views.publish import order_message

log = logging.getLogger(__name__)

STREAM = "hdex:commands"
GROUP = "engines"
REPLY_STREAM_PREFIX = "hdex:replies:"
REPLY_STREAM_TTL_S = 300  # a dead replica's answer stream goes away by itself
REPLY_STREAM_MAX_LEN = 100_000
MAX_BATCHES_IN_FLIGHT = 4  # placed, waiting to be durable; the reader waits past it

# Add the command only while fewer than ARGV[1] are outstanding: the check and the add are one step, so
# replicas racing each other never overfill the stream.
_ADD_BOUNDED = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'id', ARGV[2], 'ticket', ARGV[3], 'reply', ARGV[4], 'body', ARGV[5])
"""


# What XREAD and XREADGROUP answer: per stream, its entries as (id, fields), all bytes.
StreamEntries = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]


@dataclass(frozen=True)
class Answer:
    """What the engine answered a command: the order (`replayed` when it had been placed before), or an error."""

    ticket: str
    order: dict[str, Any] | None = None
    error: HdexError | None = None
    replayed: bool = False

    def encode(self) -> str:
        if self.error is not None:
            return json.dumps({"error": self.error.body()["error"], "headers": dict(self.error.headers or {})})
        return json.dumps({"order": self.order, "replayed": self.replayed})

    @classmethod
    def decode(cls, ticket: str, raw: str) -> Answer:
        data = json.loads(raw)
        if "error" in data:
            error = data["error"]
            return cls(ticket, error=HdexError(ErrorCode(error["code"]), error["message"], error.get("field"),
                                               data.get("headers") or None))  # fmt: skip
        return cls(ticket, order=data["order"], replayed=bool(data.get("replayed")))


class CommandStream:
    """The replica's side: add commands (bounded) and read the answers to this replica's requests."""

    def __init__(self, client: aioredis.Redis, reply_stream: str, max_len: int) -> None:
        self._client = client
        self.reply_stream = reply_stream
        self._max_len = max_len
        self._add = client.register_script(_ADD_BOUNDED)
        self._waiting: dict[str, asyncio.Future[Answer]] = {}
        self._last_reply = "0-0"

    async def submit(self, command_id: str, ticket: str, body: bytes) -> asyncio.Future[Answer] | None:
        """Add a place command; the future of its answer, or None when the stream is full."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[ticket] = future
        added = await self._add(keys=[STREAM], args=[self._max_len, command_id, ticket, self.reply_stream, body])
        if not added:
            del self._waiting[ticket]
            return None
        return future

    def forget(self, ticket: str) -> None:
        """The request gave up waiting (its answer, if it comes, is dropped)."""
        self._waiting.pop(ticket, None)

    async def read_answers(self) -> None:
        """Hand every answer on this replica's stream to its waiting request; runs until cancelled."""
        while True:
            try:
                found = cast(
                    "StreamEntries",
                    await self._client.xread({self.reply_stream: self._last_reply}, count=1_000, block=1_000),
                )
            except (OSError, aioredis.ConnectionError) as exc:
                log.warning("answer stream unreadable; retrying", extra={"error": str(exc)})
                await asyncio.sleep(0.5)
                continue
            for _stream, entries in found or ():
                for entry_id, fields in entries:
                    self._last_reply = entry_id.decode()
                    ticket = fields[b"ticket"].decode()
                    future = self._waiting.pop(ticket, None)
                    if future is not None and not future.done():
                        future.set_result(Answer.decode(ticket, fields[b"answer"].decode()))


@dataclass(frozen=True)
class Placed:
    """A command's order in the book (`replayed`: placed by an earlier command of the same id)."""

    tracked: TrackedOrder
    replayed: bool = False

    def answer(self, ticket: str) -> Answer:
        return Answer(ticket, order=order_message(self.tracked), replayed=self.replayed)


@dataclass(frozen=True)
class Entry:
    """A command as the engine reads it (its `id` field stays in the stream for people reading it)."""

    entry_id: bytes
    ticket: str
    reply: str
    body: bytes


class CommandConsumer:
    """The engine process's side: apply the stream's commands through the host, batch by batch.

    `order_view(host, hash)` answers an order's view, open or stored (for a command applied before, also before
    a restart); `consumer` is this engine's name in the group, the same across its
    restarts so that its unacknowledged entries come back to it."""

    def __init__(
        self,
        client: aioredis.Redis,
        host: Callable[[], EngineHost | None],
        order_view: Callable[[EngineHost, str], dict[str, Any] | None],
        consumer: str,
        batch: int = 512,
    ) -> None:
        self._client = client
        self._host = host
        self._order_view = order_view
        self._unanswered: dict[str, TrackedOrder] = {}  # placed, in a batch not yet durable: by hash
        self._consumer = consumer
        self._batch = batch

    async def run(self) -> None:
        """Read and apply commands until cancelled: first this consumer's pending entries, then new ones.

        Batches are pipelined: the next one is read and placed while the last one is being made durable (as
        the single-process door places new orders while a batch is written); each is answered and acknowledged
        once its own changes are on disk. Placing stays in stream order, on the host's loop."""
        try:
            await self._client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        cursor = "0"  # first the entries delivered to this consumer before a restart and never acknowledged
        claimed = False
        answering: set[asyncio.Task[None]] = set()
        try:
            while True:
                host = self._host()
                # No Exchange recorded yet, standing by for the engine lease, or stopped (the lease lost): leave
                # the commands to the engine process that can place them.
                if host is None or host.broken is not None:
                    await asyncio.sleep(0.5)
                    continue
                try:
                    if not claimed:
                        await self._claim_orphans()
                        claimed = True
                    rows = await self._read(cursor)
                except (OSError, aioredis.ConnectionError) as exc:
                    log.warning("command stream unreadable; retrying", extra={"error": str(exc)})
                    await asyncio.sleep(0.5)
                    continue
                if cursor != ">":  # pending entries: go on after the last one read, new entries once none is left
                    cursor = rows[-1][0].decode() if rows else ">"
                entries = [
                    Entry(entry_id, f[b"ticket"].decode(), f[b"reply"].decode(), f[b"body"])
                    for entry_id, f in rows
                    if f  # an entry deleted after delivery comes back empty from the pending list
                ]
                if not entries:
                    continue
                placed = [(entry, self._place(host, entry)) for entry in entries]
                task = asyncio.create_task(self._answer(host.durable(), placed))
                answering.add(task)
                task.add_done_callback(answering.discard)
                if len(answering) >= MAX_BATCHES_IN_FLIGHT:
                    await asyncio.wait(answering, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in answering:
                task.cancel()

    async def _claim_orphans(self) -> None:
        """Make every entry pending for another consumer (an engine process that died holding the lease) this
        consumer's, so that the pending read below applies them in stream order."""
        start = "0-0"
        while True:
            claimed = await self._client.xautoclaim(STREAM, GROUP, self._consumer, 0, start, count=1_000)
            start = claimed[0].decode()  # where the next round starts; "0-0" once the whole list was scanned
            if claimed[1]:
                log.warning("claimed another engine's unacknowledged commands", extra={"commands": len(claimed[1])})
            if start == "0-0":
                return

    async def _read(self, cursor: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """The next entries after `cursor` (">": new ones, waiting up to a second for them; else this consumer's
        pending ones, at once)."""
        block = None if cursor != ">" else 1_000
        read = self._client.xreadgroup(GROUP, self._consumer, {STREAM: cursor}, count=self._batch, block=block)
        found = cast("StreamEntries", await read)
        return [row for _stream, rows in found or () for row in rows]

    async def _answer(self, durable: asyncio.Future[None], placed: list[tuple[Entry, Placed | Answer]]) -> None:
        """Once the batch is durable: answer each command, then acknowledge and delete the entries. If it could
        not be stored (UNAVAILABLE), nothing is acknowledged: the entries come back after a restart."""
        try:
            await durable
        except HdexError as error:
            log.error("a batch of commands could not be stored; left unacknowledged", extra={"error": str(error)})
            return
        pipe = self._client.pipeline(transaction=False)
        for entry, outcome in placed:
            # an order placed now is answered as it is once stored, as the single-process door answers it
            answer = outcome if isinstance(outcome, Answer) else outcome.answer(entry.ticket)
            pipe.xadd(entry.reply, {"ticket": entry.ticket, "answer": answer.encode()},
                      maxlen=REPLY_STREAM_MAX_LEN, approximate=True)  # fmt: skip
            pipe.expire(entry.reply, REPLY_STREAM_TTL_S)
        ids = [entry.entry_id for entry, _outcome in placed]
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        await pipe.execute()
        for _entry, outcome in placed:
            if isinstance(outcome, Placed) and not outcome.replayed:
                self._unanswered.pop(outcome.tracked.hash, None)

    def _place(self, host: EngineHost, entry: Entry) -> Placed | Answer:
        try:
            request: OrderRequest = parse_order_request(json.loads(entry.body))
        except ValueError:
            return Answer(entry.ticket, error=HdexError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON"))
        except HdexError as error:
            return Answer(entry.ticket, error=error)
        try:
            tracked: TrackedOrder = host.handle(PlaceOrder(request))
        except HdexError as error:
            if error.code is ErrorCode.DUPLICATE_ORDER:  # applied before (a retry, a redelivery): answer it
                order_hash = "0x" + order_digest(host.domain, request.order).hex()
                if order_hash in self._unanswered:  # placed in a batch not yet durable: answered with it
                    return Placed(self._unanswered[order_hash], replayed=True)
                view = self._order_view(host, order_hash)
                if view is not None:
                    return Answer(entry.ticket, order=view, replayed=True)
            return Answer(entry.ticket, error=error)
        self._unanswered[tracked.hash] = tracked
        return Placed(tracked)


@asynccontextmanager
async def consuming_commands(container: Container, trading: TradingService) -> AsyncIterator[None]:
    """Run the engine process's `CommandConsumer` on the serving loop while the block runs."""
    assert container.settings.redis_url is not None  # the settings refuse a command stream without Redis
    client = aioredis.Redis.from_url(container.settings.redis_url)

    def view(host: EngineHost, order_hash: str) -> dict[str, Any] | None:
        with container.uow() as uow:
            return order_view(uow.session, host, order_hash)

    consumer = CommandConsumer(client, lambda: trading.host, view, container.settings.engine_consumer)
    task = asyncio.create_task(consumer.run(), name="command-stream")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.aclose()
