"""The write path between API replicas and an engine process, over a Redis stream (issue 17).

A replica (`hdex api`) checks what needs no account state (the order's shape and its signature) and adds a
`place` command to `STREAM`. The command's id is the order's hash, so the same signed order sent twice, by
one replica retrying or by two, is one command; a `ticket` names the request waiting for the answer and
`reply` the replica's own answer stream. The engine process (`hdex engine serve`) reads the stream in the
consumer group `GROUP`, hands a batch of commands to the engine host, waits until the batch is durable,
answers each on its replica's stream, and only then acknowledges and deletes the entries. Hence:

- an engine that dies before acknowledging gets the entries again when it restarts under the same consumer name
  (they stay pending for it), and a standing-by engine process that takes over from it under another name claims
  them (only the engine lease's holder reads the stream, so another consumer's pending entries are orphans); so
  does each new host of a process that ran one before (after a storage fault, or taking the lease back), first,
  before any command sent since (a cancel must not overtake the order it cancels); the running engine also claims,
  every third of a lease term, any entry left unacknowledged for a whole term (read by a process that has since
  lost the lease, or whose answers could not be sent); one already applied is known by its hash and answered with
  the order as stored, never placed twice, so nothing acknowledged is lost or repeated; an engine that cannot be
  sure it still holds the lease (its last renewal nearly a term old) takes nothing from the stream, so a deposed
  one leaves new commands to the new holder;
- a replica that dies loses only the answers to requests it had not answered yet (the orders stand);
- the stream holds at most `max_len` commands not yet done: past that a replica refuses at once (503 with
  Retry-After) instead of queueing without bound;
- with HDEX_COMMAND_KEY set, a replica marks each command it checked (`vouch`) under the EIP-712 domain it checked
  it against, and the engine takes a mark made under its own domain instead of recovering the signature again;
  a command without one has its signature checked as ever;
- cancels take the same path, behind the orders sent before them: `cancel` (one order by hash, `DELETE
  /v1/orders/{hash}`), `cancel-all` (`POST /v1/orders/cancel`) and `cancel-after` (`POST
  /v1/orders/cancel-after`, a bot's heartbeat); the engine checks their signatures (a single cancel's request
  names no maker) and counts them against the maker's rate limit, as its own doors do, and answers a copy as
  they would (a second cancel of an order: ORDER_NOT_OPEN; a signed timestamp used again: CANCEL_EXPIRED), except
  a cancel or cancel-replace delivered again (claimed, or read from the pending list) that finds its order
  cancelled by its own signed request: it was applied and stored, its answer never sent, and it is answered as
  applied (a cancel-replace whose new order was refused: 409 REPLACE_PARTLY_FAILED, without the reason, which is
  not kept; a bulk cancel or cancel-after delivered again is answered CANCEL_EXPIRED: which orders it cancelled
  is not kept), and is not counted against the maker's rate limit again;
- a command of a kind the engine does not know (a newer replica's) is refused INVALID_FIELD, never placed;
- so does `replace` (`POST /v1/orders/replace`): the replica checked its new order and vouches for it as for an
  order, and the engine checks its cancel's signature;
- a clean stop stops reading, then answers the batches already placed once they are durable.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import hmac
import json
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT

from backend.bootstrap import Container
from backend.cancellation import raise_if_cancelled
from backend.engine import ResultCode
from backend.errors import ErrorCode, HdexError
from backend.metrics import (
    COMMAND_STREAM_CLAIMED,
    COMMAND_STREAM_COMMANDS,
    COMMAND_STREAM_LENGTH,
    COMMAND_STREAM_MAX_LEN,
    COMMAND_STREAM_PENDING,
)
from backend.settings import Settings
from backend.signing import Domain, order_digest
from backend.statuses import OrderStatus
from backend.trading.hosting.commands import PlaceOrder
from backend.trading.hosting.host import REPLACED_REASON, EngineHost
from backend.trading.hosting.service import TradingService
from backend.trading.rules.cancels import (
    CancelRequest,
    ReplacePartlyFailed,
    parse_bulk_cancel_request,
    parse_cancel_after_request,
    parse_cancel_request,
    parse_replace_request,
    verify_cancel,
)
from backend.trading.rules.orders import OrderRequest, TrackedOrder, parse_order_request
from backend.trading.usecases.order_entry import (
    apply_cancel,
    apply_cancel_after,
    apply_cancel_all,
    apply_replace,
    check_cancel,
    check_cancel_after,
    check_cancel_all,
    open_order,
    order_to_replace,
    order_view,
    partly_replaced_answer,
    partly_replaced_body,
    replace_answer,
)
from backend.trading.views.publish import order_message

log = logging.getLogger(__name__)

STREAM = "hdex:commands"
GROUP = "engines"
REPLY_STREAM_PREFIX = "hdex:replies:"
REPLY_STREAM_TTL_S = 300  # a dead replica's answer stream goes away by itself
REPLY_STREAM_MAX_LEN = 100_000
MAX_BATCHES_IN_FLIGHT = 4  # placed, waiting to be durable; the reader waits past it
READ_BLOCK_S = 1.0  # how long a read of new entries waits for one
# A reply not read this long after its request gives the connection up (a TimeoutError, then a new connection):
# longer than any read blocks (READ_BLOCK_S). A process that stalls past it (a paused VM) gets that error on waking.
REDIS_READ_TIMEOUT_S = 5.0
# How long an answered entry's id is remembered: longer than any read's reply can be on its way (the socket's
# timeout), so a reply read before the entry was acknowledged cannot apply it again once it is answered.
ANSWERED_KEPT_S = 2 * REDIS_READ_TIMEOUT_S
# How many lease terms the ids of entries whose answers may have gone out are kept: a claim brings back those still
# pending within a term and a third; those not back by then were deleted with their answers (the transaction ran).
MAYBE_ANSWERED_TERMS = 3
SAMPLE_INTERVAL_S = 1.0  # how often the consumer reads the stream's length and pending count for /metrics
_PLACED, _REPLAYED, _REFUSED, _CANCELLED, _REPLACED = (
    COMMAND_STREAM_COMMANDS.labels(outcome) for outcome in ("placed", "replayed", "refused", "cancelled", "replaced")
)
# a command's kind (an entry without one: place, as before kinds were named)
PLACE, CANCEL, CANCEL_ALL, REPLACE, CANCEL_AFTER = "place", "cancel", "cancel-all", "replace", "cancel-after"
STOP_ANSWER_TIMEOUT_S = 30.0  # a clean stop waits this long for the batches in flight to be answered

# Add the command only while fewer than ARGV[1] are outstanding: the check and the add are one step, so
# replicas racing each other never overfill the stream.
_ADD_BOUNDED = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'id', ARGV[2], 'ticket', ARGV[3], 'reply', ARGV[4], 'body', ARGV[5],
                  'mac', ARGV[6], 'kind', ARGV[7])
"""

# `_ADD_BOUNDED` for several commands in one call (ARGV[2..] their fields, six each): per command,
# its entry's id, or 0 once the stream is full (a false would end the reply's list).
_ADD_MANY_BOUNDED = """
local added = {}
for i = 2, #ARGV, 6 do
  if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
    added[#added + 1] = 0
  else
    added[#added + 1] = redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'ticket', ARGV[i + 1], 'reply', ARGV[i + 2],
                                   'body', ARGV[i + 3], 'mac', ARGV[i + 4], 'kind', ARGV[i + 5])
  end
end
return added
"""


def vouch(key: bytes, domain: Domain, body: bytes) -> bytes:
    """A replica's mark on a command whose signature it recovered to the maker under `domain`: HMAC-SHA256 of the
    domain's separator and the body under the shared HDEX_COMMAND_KEY. The engine takes the mark instead of
    recovering the signature again (a fifth of its work per order); a command added to the stream by anyone
    without the key carries no valid mark, and its signature is checked as ever, so the stream still needs no
    trust to be safe. The domain is in the mark because a replica still holding the domain of an Exchange since
    redeployed would otherwise vouch for orders signed for the old one, which the new one refuses to settle."""
    return hmac.digest(key, domain.separator + body, "sha256")  # one-shot: a third less than hmac.new per order


# What XREAD and XREADGROUP answer: per stream, its entries as (id, fields), all bytes.
StreamEntries = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]


@dataclass(frozen=True)
class Answer:
    """What the engine answered a command: the order (`replayed` when it had been placed before), another
    command's `result` with its HTTP `status` (a bulk cancel's, a cancel-replace's), or an error."""

    ticket: str
    order: dict[str, Any] | None = None
    error: HdexError | None = None
    replayed: bool = False
    result: dict[str, Any] | None = None
    status: int = 200  # a result's HTTP status

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error.body()["error"], "headers": dict(self.error.headers or {})}
        if self.result is not None:
            return {"result": self.result, "status": self.status}
        return {"order": self.order, "replayed": self.replayed}

    @classmethod
    def from_json(cls, ticket: str, data: dict[str, Any]) -> Answer:
        if "error" in data:
            error = data["error"]
            return cls(ticket, error=HdexError(ErrorCode(error["code"]), error["message"], error.get("field"),
                                               data.get("headers") or None))  # fmt: skip
        if "result" in data:
            return cls(ticket, result=data["result"], status=int(data.get("status", 200)))
        return cls(ticket, order=data["order"], replayed=bool(data.get("replayed")))


def answers_entry(answers: list[Answer]) -> dict[FieldT, EncodableT]:
    """One reply-stream entry carrying a batch's answers to one replica (one entry per answer cost the engine a
    Redis command and the replica a stream entry to parse for each order)."""
    return {"answers": json.dumps({answer.ticket: answer.to_json() for answer in answers}, separators=(",", ":"))}


def entry_answers(fields: dict[bytes, bytes]) -> list[Answer]:
    """The answers a reply-stream entry carries (see `answers_entry`). One this replica cannot read (an error code
    an engine process newer than it added) is answered ENGINE_TIMEOUT (whether the command stands is not known
    here), the others as they are: an entry carries the answers of a whole batch, placed orders among them. Raises
    ValueError (or KeyError, TypeError, RecursionError) if the entry itself is not an engine's."""
    answers = json.loads(fields[b"answers"])
    if not isinstance(answers, dict):
        raise TypeError("an answers entry holds one object")
    return [_answer_of(ticket, data) for ticket, data in answers.items()]


def _answer_of(ticket: str, data: Any) -> Answer:
    try:
        return Answer.from_json(ticket, data)
    except (KeyError, ValueError, TypeError, AttributeError):
        log.warning("an answer this replica cannot read", extra={"ticket": ticket})
        message = ("the engine's answer could not be read here (an engine process newer than this API server?): "
                   "the command may stand; look it up before sending it again")  # fmt: skip
        return Answer(ticket, error=HdexError(ErrorCode.ENGINE_TIMEOUT, message))


class CommandStream:
    """The replica's side: add commands (bounded) and read the answers to this replica's requests."""

    def __init__(self, client: aioredis.Redis, reply_stream: str, max_len: int, key: bytes | None = None) -> None:
        self._client = client
        self.reply_stream = reply_stream
        self._max_len = max_len
        self._key = key  # HDEX_COMMAND_KEY: vouch for the commands (their signatures are checked by the caller)
        self._add = client.register_script(_ADD_BOUNDED)
        self._add_many = client.register_script(_ADD_MANY_BOUNDED)
        self._waiting: dict[str, asyncio.Future[Answer]] = {}
        self._last_reply = "0-0"

    async def submit(
        self, command_id: str, ticket: str, body: bytes, domain: Domain, kind: str = PLACE
    ) -> asyncio.Future[Answer] | None:
        """Add a command carrying an order (PLACE, or REPLACE: the new order of a cancel-replace) whose signature
        the caller recovered to its maker under `domain`; the future of its answer, or None when the stream is
        full."""
        mark = b"" if self._key is None else vouch(self._key, domain, body)
        return await self._submit(kind, command_id, ticket, body, mark)

    async def submit_orders(self, orders: list[tuple[str, str, bytes, Domain]]) -> list[asyncio.Future[Answer] | None]:
        """Add PLACE commands (command id, ticket, body, domain: as `submit`) in one call, in their order; per
        command, as `submit`: the future of its answer, or None when the stream was full. Raises as `submit`."""
        loop = asyncio.get_running_loop()
        futures = []
        args: list[EncodableT] = [self._max_len]
        for command_id, ticket, body, domain in orders:
            futures.append(self._waiting.setdefault(ticket, loop.create_future()))
            mark = b"" if self._key is None else vouch(self._key, domain, body)
            args += [command_id, ticket, self.reply_stream, body, mark, PLACE]
        try:
            added = await self._add_many(keys=[STREAM], args=args)
        except BaseException:  # as `_submit`
            for _command_id, ticket, _body, _domain in orders:
                self.forget(ticket)
            raise
        for (_command_id, ticket, _body, _domain), entry_id in zip(orders, added, strict=True):
            if not entry_id:
                self.forget(ticket)
        return [future if entry_id else None for future, entry_id in zip(futures, added, strict=True)]

    async def submit_cancel(self, ticket: str, cancel: CancelRequest) -> asyncio.Future[Answer] | None:
        """Add a cancel command (its signature is the engine's to check); as `submit`."""
        body = json.dumps({"orderHash": cancel.order_hash, "signature": "0x" + cancel.signature.hex()}).encode()
        return await self._submit(CANCEL, f"cancel:{cancel.order_hash}", ticket, body, b"")

    async def submit_signed(
        self, kind: str, ticket: str, body: bytes, maker: str, timestamp_ms: int
    ) -> asyncio.Future[Answer] | None:
        """Add a command of `kind` (CANCEL_ALL, CANCEL_AFTER) signed by `maker` at `timestamp_ms`, whose
        signature is the engine's to check (`body` as the client sent it); as `submit`."""
        return await self._submit(kind, f"{kind}:{maker}:{timestamp_ms}", ticket, body, b"")

    async def _submit(
        self, kind: str, command_id: str, ticket: str, body: bytes, mark: bytes
    ) -> asyncio.Future[Answer] | None:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[ticket] = future
        try:
            added = await self._add(keys=[STREAM], args=[self._max_len, command_id, ticket, self.reply_stream, body,
                                                         mark, kind])  # fmt: skip
        except BaseException:  # Redis away, or the request cancelled: nobody will wait for this answer
            self.forget(ticket)
            raise
        if not added:
            self.forget(ticket)
            return None
        return future

    def forget(self, ticket: str) -> None:
        """The request gave up waiting (its answer, if it comes, is dropped)."""
        self._waiting.pop(ticket, None)

    async def read_answers(self) -> None:
        """Hand every answer on this replica's stream to its waiting request; runs until cancelled."""
        while True:
            raise_if_cancelled()
            try:
                found = cast(
                    "StreamEntries",
                    await self._client.xread({self.reply_stream: self._last_reply}, count=1_000, block=1_000),
                )
            except (OSError, RedisError) as exc:  # away, or timed out (this process or Redis stalled): read on
                log.warning("answer stream unreadable; retrying", extra={"error": str(exc)})
                await asyncio.sleep(0.5)
                continue
            for _stream, entries in found or ():
                for entry_id, fields in entries:
                    self._last_reply = entry_id.decode()
                    try:
                        answers = entry_answers(fields)
                    # not an engine's (nested past the parser's depth too): must not stop every answer after it
                    except (KeyError, ValueError, TypeError, RecursionError):
                        log.warning("unreadable entry on the answer stream skipped", extra={"entry": self._last_reply})
                        continue
                    for answer in answers:
                        future = self._waiting.pop(answer.ticket, None)
                        if future is not None and not future.done():
                            future.set_result(answer)
            if found:
                await self._forget_read()

    async def _forget_read(self) -> None:
        """Drop the answers read from this replica's stream: only this replica reads it, and a busy replica's
        REPLY_STREAM_MAX_LEN batches of answers already handed out would otherwise stay in Redis's memory (at about
        a kilobyte an answer, gigabytes) for as long as it runs. Approximate: whole nodes, a few entries behind."""
        try:
            await self._client.xtrim(self.reply_stream, minid=self._last_reply, approximate=True)
        except (OSError, RedisError) as exc:  # the next read's trim takes these too
            log.warning("answer stream not trimmed; trimmed after the next read", extra={"error": str(exc)})


@dataclass(frozen=True)
class Placed:
    """A command's order in the book, as placing it left it (`order_entry`: a later batch's fills are not durable
    when this one is), answered once stored (`replayed`: placed by an earlier command of the same id)."""

    order_hash: str
    order: dict[str, Any]
    replayed: bool = False

    @classmethod
    def now(cls, tracked: TrackedOrder, replayed: bool = False) -> Placed:
        return cls(tracked.hash, order_message(tracked), replayed)

    def answer(self, ticket: str) -> Answer:
        return Answer(ticket, order=self.order, replayed=self.replayed)


@dataclass(frozen=True)
class Cancelled:
    """A cancel command's order, cancelled: answered with the order once stored."""

    tracked: TrackedOrder

    def answer(self, ticket: str) -> Answer:
        return Answer(ticket, order=order_message(self.tracked))


@dataclass(frozen=True)
class Replaced:
    """A cancel-replace applied: its old order cancelled, its new one placed (`replace_answer`, as placing left
    it); answered once stored."""

    new_hash: str
    result: dict[str, Any]

    def answer(self, ticket: str) -> Answer:
        return Answer(ticket, result=self.result, status=201)


@dataclass(frozen=True)
class PartlyReplaced:
    """A cancel-replace whose cancel stands and whose new order was refused; answered 409 once stored."""

    refusal: ReplacePartlyFailed

    def answer(self, ticket: str) -> Answer:
        return Answer(ticket, result=partly_replaced_answer(self.refusal), status=409)


@dataclass(frozen=True)
class Entry:
    """A command as the engine reads it (its `id` field stays in the stream for people reading it)."""

    entry_id: bytes
    ticket: str
    reply: str
    body: bytes
    mac: bytes  # a replica's `vouch` for the body, or empty
    kind: str = PLACE
    redelivered: bool = False  # read from the pending list: it may have been applied and stored, and not answered


Outcome = Placed | Cancelled | Replaced | PartlyReplaced | Answer  # what applying a command gave
Batch = list[tuple[Entry, Outcome]]  # a batch's entries with their outcomes


class CommandConsumer:
    """The engine process's side: apply the stream's commands through the host, batch by batch.

    `order_view(host, hash)` answers an order's view, open or stored (for a command applied before, also before
    a restart); `consumer` is this engine's name in the group, the same across its restarts so that its
    unacknowledged entries come back to it; an entry left unacknowledged for `orphan_idle_s` is claimed and
    answered again (the engine lease's term: its reader has lost the lease, or could not send its answers).
    `lease_left()`: seconds before another process could have taken the engine lease over (`EngineLease.
    time_left`); the consumer takes no entry it might not live to store (see `_next_rows`)."""

    def __init__(
        self,
        client: aioredis.Redis,
        host: Callable[[], EngineHost | None],
        order_view: Callable[[EngineHost, str], dict[str, Any] | None],
        consumer: str,
        orphan_idle_s: float,
        lease_left: Callable[[], float],
        batch: int = 512,
        key: bytes | None = None,
        hit_address: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self._key = key  # HDEX_COMMAND_KEY: a command vouched for under it has its signature checked already
        self._hit_address = hit_address  # the per-wallet rate limit, for the commands whose signature it checks
        self._host = host
        self._lease_left = lease_left
        self._order_view = order_view
        self._unanswered: dict[str, TrackedOrder] = {}  # placed, in a batch not yet durable: by hash
        self._consumer = consumer
        self._orphan_idle_ms = int(orphan_idle_s * 1000)
        self._batch = batch
        self._answering: set[asyncio.Task[None]] = set()
        self._in_flight: set[bytes] = set()  # entries placed whose batch is not answered yet: a claim skips them
        # Entries answered: read again (a reply on its way while they were answered), they are acknowledged and
        # deleted, never applied a second time (a refused order could pass on the second try, though its client
        # was told no). By when each was answered; and those whose answers may have gone out (the connection was
        # lost while sending them), by when: kept until a claim brings them back, or for MAYBE_ANSWERED_TERMS lease
        # terms (if the answers went out, the entries went with them and come back never).
        self._answered: collections.OrderedDict[bytes, float] = collections.OrderedDict()
        self._maybe_answered: collections.OrderedDict[bytes, float] = collections.OrderedDict()
        self._cursor: str | None = None  # where `_next_rows` reads next (see there)
        self._reading_for: Callable[[], EngineHost | None] = lambda: None  # the host it reads for (a weak reference)
        self._next_claim = 0.0  # the loop time of the next claim of idle entries
        self._next_sample = 0.0  # the loop time of the next reading of the stream for /metrics

    async def run(self) -> None:
        """Read and apply commands until cancelled: first every entry left pending (this consumer's and a dead
        one's), then new ones, claiming entries left unacknowledged for a lease term as it goes; each new engine
        host of the process starts over with every entry left pending.

        Batches are pipelined: the next one is read and placed while the last one is being made durable (as
        the single-process door places new orders while a batch is written); each is answered and acknowledged
        once its own changes are on disk. Placing stays in stream order, on the host's loop. A failing round
        (Redis away or restarted empty) is logged and retried: the stream must outlive any one fault."""
        try:
            while True:
                raise_if_cancelled()
                host = self._host()
                # No Exchange recorded yet, standing by for the engine lease, or stopped (the lease lost, a
                # storage fault): leave the commands to the engine process that can place them.
                if host is None or host.broken is not None:
                    if host is None:
                        # Standing by takes nothing: the process running the book shows the stream. A reading kept
                        # from this process's own host (deposed, or stopped by a storage fault) would show orders
                        # waiting on it for good, and page HdexCommandStreamStalled while the book runs elsewhere.
                        COMMAND_STREAM_LENGTH.set(0)
                        COMMAND_STREAM_PENDING.set(0)
                    await asyncio.sleep(0.5)
                    continue
                if self._reading_for() is not host:
                    # A new host (after a storage fault stopped the last one, or the lease taken back): what is
                    # pending was left unanswered by an earlier host, so it goes first, in stream order, as at a
                    # start; else a cancel sent meanwhile would overtake the order it cancels.
                    self._reading_for, self._cursor = weakref.ref(host), None
                try:
                    rows, redelivered = await self._next_rows()
                except (OSError, RedisError) as exc:
                    if "NOGROUP" in str(exc):
                        log.warning("the command stream lost its group (Redis restarted empty?): creating it again")
                        self._cursor = None
                        continue
                    # LOADING, OOM, away, or a reply not read in time (this process or Redis stalled)
                    log.warning("command stream unreadable; retrying", extra={"error": str(exc)})
                    await asyncio.sleep(0.5)
                    continue
                # an entry deleted after delivery comes back empty from the pending list; one of a batch still
                # being stored is answered with it (claimed too, it would be answered twice, in any order)
                fresh = [(i, f) for i, f in rows if f and i not in self._in_flight]
                answered = {i for i, _f in fresh if i in self._answered or i in self._maybe_answered}
                if answered:
                    await self._drop(list(answered), "entries answered already dropped from the stream")
                    fresh = [(i, f) for i, f in fresh if i not in answered]
                entries = await self._entries(fresh, redelivered)
                if entries:
                    await self._apply(host, entries)
        finally:
            await self._finish_answering()

    async def _entries(self, rows: list[tuple[bytes, dict[bytes, bytes]]], redelivered: bool) -> list[Entry]:
        """The rows as commands. One that is not a replica's command (a stray writer's) has no one to answer:
        it is acknowledged and deleted, else it would stop every command behind it, now and after each restart."""
        entries, strays = [], []
        for entry_id, f in rows:
            try:
                entries.append(Entry(entry_id, f[b"ticket"].decode(), f[b"reply"].decode(), f[b"body"],
                                     f.get(b"mac", b""), f.get(b"kind", PLACE.encode()).decode(),
                                     redelivered))  # fmt: skip
            except (KeyError, UnicodeDecodeError):
                strays.append(entry_id)
        if strays:  # if they cannot be dropped now, the commands read go on; the strays come back with a claim
            await self._drop(strays, "entries that are no command dropped from the stream")
        return entries

    async def _drop(self, ids: list[bytes], why: str) -> None:
        """Acknowledge and delete entries (`why` is logged); if Redis does not, they come back with a claim."""
        pipe = self._client.pipeline(transaction=False)
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        try:
            await pipe.execute()
        except (OSError, RedisError) as exc:
            log.warning("entries not dropped", extra={"entries": len(ids), "why": why, "error": str(exc)})
            return
        log.warning(why, extra={"entries": len(ids)})
        for entry_id in ids:
            self._maybe_answered.pop(entry_id, None)

    async def _next_rows(self) -> tuple[list[tuple[bytes, dict[bytes, bytes]]], bool]:
        """The next entries to apply, and whether they were delivered before (claimed, or read from this
        consumer's pending list). `_cursor` None: create the group and claim every pending entry, then read them
        ("0": this consumer's pending entries, after the last one read), then new ones (">"), with a claim of the
        entries idle for a lease term every third of a term.

        Nothing is read unless the lease is this process's for longer than a read can wait, and what a read
        returns after the lease's term ran out (this process was paused inside it) is left pending: a process
        that stalled past its term may have been deposed without knowing it yet, and what it took would wait a
        whole term for the new holder's claim. Once the lease is renewed, the entries left are read again from
        this consumer's pending list; once it is found lost, order entry stops here and the new holder claims
        them."""
        now = asyncio.get_running_loop().time()
        if self._lease_left() <= READ_BLOCK_S:
            # Sampled while nothing may be read too (the lease not renewed: the database away): orders waiting
            # must show, or /metrics keeps the last length read and HdexCommandStreamStalled never fires.
            if self._cursor is not None:
                await self._sample_if_due(now)
            await asyncio.sleep(0.1)
            return [], False
        if self._cursor is None:
            await self._create_group()
            await self._claim(0, until_done=True)
            self._cursor, self._next_claim = "0", now + self._orphan_idle_ms / 3000
        await self._sample_if_due(now)
        redelivered = self._cursor != ">"
        if not redelivered and now >= self._next_claim:
            self._next_claim, redelivered = now + self._orphan_idle_ms / 3000, True
            rows = await self._claim(self._orphan_idle_ms, until_done=False)
        else:
            try:
                rows = await self._read(self._cursor)
            except (OSError, RedisError):
                # Redis may have delivered entries to this consumer in the reply that was lost: the next read takes
                # them from its pending list at once, instead of after a lease term's claim.
                self._cursor = "0"
                raise
            if self._cursor != ">":
                self._cursor = rows[-1][0].decode() if rows else ">"
        if rows and self._lease_left() <= 0:
            self._cursor = "0"
            return [], False
        return rows, redelivered

    async def _sample_if_due(self, now: float) -> None:
        """The stream's length and pending count, for /metrics (hdex_command_stream_*), every SAMPLE_INTERVAL_S."""
        if now < self._next_sample:
            return
        self._next_sample = now + SAMPLE_INTERVAL_S
        pipe = self._client.pipeline(transaction=False)
        pipe.xlen(STREAM)
        pipe.xpending(STREAM, GROUP)
        length, pending = await pipe.execute()
        COMMAND_STREAM_LENGTH.set(length)
        COMMAND_STREAM_PENDING.set(pending["pending"])

    async def _apply(self, host: EngineHost, entries: list[Entry]) -> None:
        """Place a batch and answer it once durable, in the background; waits while too many are in flight."""
        placed: Batch = []
        for entry in entries:  # in stream order: a cancel applies after the orders sent before it
            placed.append((entry, await self._outcome(host, entry)))
        for _entry, outcome in placed:
            if isinstance(outcome, Placed):
                (_REPLAYED if outcome.replayed else _PLACED).inc()
            elif isinstance(outcome, Replaced):
                _REPLACED.inc()
            elif isinstance(outcome, PartlyReplaced):
                _REFUSED.inc()
            elif isinstance(outcome, Cancelled) or outcome.result is not None:  # a cancel, a bulk one, a switch
                _CANCELLED.inc()
            else:
                (_REFUSED if outcome.error is not None else _REPLAYED).inc()
        self._in_flight.update(entry.entry_id for entry in entries)
        task = asyncio.create_task(self._answer(host.durable(), placed))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)
        if len(self._answering) >= MAX_BATCHES_IN_FLIGHT:
            await asyncio.wait(self._answering, return_when=asyncio.FIRST_COMPLETED)

    async def _finish_answering(self) -> None:
        """On a stop: the batches already placed are stored by the host's drain; answer them as they are."""
        if not self._answering:
            return
        log.info("command stream stopped reading: answering the batches in flight",
                 extra={"batches": len(self._answering)})  # fmt: skip
        _done, late = await asyncio.wait(self._answering, timeout=STOP_ANSWER_TIMEOUT_S)
        for task in late:  # left unacknowledged: claimed and answered by the next engine to run
            task.cancel()

    async def _create_group(self) -> None:
        try:
            await self._client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _claim(self, min_idle_ms: int, until_done: bool) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Make the entries pending for `min_idle_ms` or more this consumer's and return them: all of them
        (`until_done`), or one batch. Another consumer's entries are orphans (only the lease's holder reads);
        this consumer's own idle ones were placed but never answered."""
        rows: list[tuple[bytes, dict[bytes, bytes]]] = []
        start = "0-0"
        while True:
            claimed = await self._client.xautoclaim(STREAM, GROUP, self._consumer, min_idle_ms, start,
                                                    count=self._batch)  # fmt: skip
            start = claimed[0].decode()  # where the next round starts; "0-0" once the whole list was scanned
            rows.extend(claimed[1])
            if not until_done or start == "0-0":
                break
        if rows:
            COMMAND_STREAM_CLAIMED.inc(len(rows))
            log.warning("claimed unacknowledged commands", extra={"commands": len(rows), "idle_ms": min_idle_ms})
        return rows

    async def _read(self, cursor: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """The next entries after `cursor` (">": new ones, waiting up to a second for them; else this consumer's
        pending ones, at once)."""
        block = None if cursor != ">" else int(READ_BLOCK_S * 1000)
        read = self._client.xreadgroup(GROUP, self._consumer, {STREAM: cursor}, count=self._batch, block=block)
        found = cast("StreamEntries", await read)
        return [row for _stream, rows in found or () for row in rows]

    async def _answer(self, durable: asyncio.Future[None], placed: Batch) -> None:
        """Once the batch is durable: answer each command, then acknowledge and delete the entries. If it could
        not be stored (UNAVAILABLE), nothing is acknowledged: the entries come back to the next engine to run;
        if the answers could not be sent, they are claimed again after a lease term and answered then."""
        try:
            await self._store_and_answer(durable, placed)
        finally:
            self._in_flight.difference_update(entry.entry_id for entry, _outcome in placed)

    async def _store_and_answer(self, durable: asyncio.Future[None], placed: Batch) -> None:
        try:
            await durable
        except HdexError as error:
            log.error("a batch of commands could not be stored; left unacknowledged", extra={"error": str(error)})
            return
        finally:
            # Stored (a later copy is answered from the database), or not (its host stopped: the next one places a
            # redelivered copy afresh, or answers it from what it restored): never answered from this placing.
            for _entry, outcome in placed:
                if isinstance(outcome, Placed):
                    self._unanswered.pop(outcome.order_hash, None)
                elif isinstance(outcome, Replaced):
                    self._unanswered.pop(outcome.new_hash, None)
        by_replica: dict[str, list[Answer]] = {}
        for entry, outcome in placed:
            answer = outcome if isinstance(outcome, Answer) else outcome.answer(entry.ticket)
            by_replica.setdefault(entry.reply, []).append(answer)
        # One MULTI: the answers go out and the commands are acknowledged together or not at all. Redis refuses the
        # whole transaction when it refuses one command as it is queued (XADD out of memory): then nothing is
        # acknowledged, and a claim answers the commands after a lease term.
        pipe = self._client.pipeline(transaction=True)
        for reply, answers in by_replica.items():
            pipe.xadd(reply, answers_entry(answers), maxlen=REPLY_STREAM_MAX_LEN, approximate=True)
            pipe.expire(reply, REPLY_STREAM_TTL_S)
        ids = [entry.entry_id for entry, _outcome in placed]
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        try:
            await pipe.execute()
        except ResponseError as exc:  # refused whole (redis-py raises the refused command's error, not EXECABORT)
            log.warning("answers not sent; answered again once claimed", extra={"error": str(exc)})
            return
        except (OSError, RedisError) as exc:
            # The connection went while the transaction was on its way: it ran whole, or not at all. If this consumer
            # claims the commands back, it drops them unanswered rather than apply them again; their clients, told
            # nothing, look them up (an order by its hash) as after any timeout.
            log.warning("answers may not have been sent", extra={"error": str(exc)})
            now = asyncio.get_running_loop().time()
            _remember(self._maybe_answered, ids, now, MAYBE_ANSWERED_TERMS * self._orphan_idle_ms / 1000)
            return
        _remember(self._answered, ids, asyncio.get_running_loop().time(), ANSWERED_KEPT_S)

    async def _outcome(self, host: EngineHost, entry: Entry) -> Outcome:
        """What applying one command gives. A refusal is answered as the engine process's own door answers it; a
        fault of the engine's own (a wallet's balances unreadable) is answered UNAVAILABLE instead of stopping the
        stream."""
        try:
            body = json.loads(entry.body)
        except (ValueError, RecursionError):  # nested too deep: a stray writer's, which must not end the consumer
            return Answer(entry.ticket, error=HdexError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON"))
        try:
            if entry.kind == CANCEL:
                return await self._cancel(host, entry, body)
            if entry.kind in (CANCEL_ALL, CANCEL_AFTER):
                return Answer(entry.ticket, result=await self._signed(host, entry, body))
            if entry.kind == REPLACE:
                return self._replace(host, entry, body)
            if entry.kind == PLACE:
                return self._place(host, entry, body)
            # A newer replica's kind this engine does not know: placing its body (a replace carries an order) would
            # leave what else it asked undone.
            return Answer(entry.ticket, error=HdexError(
                ErrorCode.INVALID_FIELD, f"this engine does not know the command {entry.kind!r}: retry later", "kind"
            ))  # fmt: skip
        except ReplacePartlyFailed as refusal:  # the cancel stands: answered with it
            return PartlyReplaced(refusal)
        except HdexError as error:
            return Answer(entry.ticket, error=error)
        except Exception:
            log.exception("a command failed; answered UNAVAILABLE", extra={"ticket": entry.ticket})
            fault = HdexError(ErrorCode.UNAVAILABLE, "the engine could not take this command now; retry", None,
                              {"Retry-After": "1"})  # fmt: skip
            return Answer(entry.ticket, error=fault)

    def _vouched(self, host: EngineHost, entry: Entry, request: OrderRequest) -> OrderRequest:
        """The order request, marked as checked when a replica vouched for it under this engine's domain."""
        if self._key is not None and hmac.compare_digest(entry.mac, vouch(self._key, host.domain, entry.body)):
            return dataclasses.replace(request, signature_checked=True)
        return request

    def _place(self, host: EngineHost, entry: Entry, body: Any) -> Placed | Answer:
        """An order; one placed before (a retry, a redelivery) is answered as placed."""
        request = self._vouched(host, entry, parse_order_request(body))
        try:
            tracked: TrackedOrder = host.handle(PlaceOrder(request))
        except HdexError as error:
            if error.code is not ErrorCode.DUPLICATE_ORDER:
                raise
            order_hash = "0x" + order_digest(host.domain, request.order).hex()
            if order_hash in self._unanswered:  # placed in a batch not yet durable: answered with it
                return Placed.now(self._unanswered[order_hash], replayed=True)
            view = self._order_view(host, order_hash)
            if view is None:
                raise
            return Answer(entry.ticket, order=view, replayed=True)
        self._unanswered[tracked.hash] = tracked
        return Placed.now(tracked)

    async def _cancel(self, host: EngineHost, entry: Entry, body: Any) -> Cancelled | Answer:
        """A cancel, checked as the engine process's own `DELETE /v1/orders/{hash}` checks it."""
        cancel = parse_cancel_request(body.get("orderHash") if isinstance(body, dict) else None, body)
        try:
            tracked = open_order(host, cancel.order_hash, lambda key: self._stored(host, key), "orderHash")
        except HdexError as error:
            view = self._cancelled_before(host, entry, error, cancel.order_hash, cancel.signature,
                                          ResultCode.CANCELLED_BY_USER)  # fmt: skip
            return Answer(entry.ticket, order=view)
        check_cancel(host, tracked, cancel.signature)
        await self._count(tracked.maker.lower(), entry)
        apply_cancel(host, tracked)
        return Cancelled(tracked)

    def _replace(self, host: EngineHost, entry: Entry, body: Any) -> Replaced | Answer:
        """A cancel-replace, checked as the engine process's own `POST /v1/orders/replace` checks it (the maker's
        rate limit was counted by the replica, which knew the maker)."""
        replace = parse_replace_request(body)
        replace = dataclasses.replace(replace, order=self._vouched(host, entry, replace.order))
        try:
            old = order_to_replace(host, replace, lambda key: self._stored(host, key))
        except HdexError as error:
            cancelled = self._cancelled_before(host, entry, error, replace.order_hash, replace.cancel_signature,
                                               REPLACED_REASON)  # fmt: skip
            new = self._order_view(host, "0x" + order_digest(host.domain, replace.order.order).hex())
            if new is None:  # the engine refused the new order after the cancel: answered 409 as then
                return Answer(entry.ticket, result=_partly_replaced_again(cancelled), status=409)
            if new["order"]["maker"] != cancelled["order"]["maker"]:
                raise
            return Answer(entry.ticket, result={"cancelled": cancelled, "order": new}, status=201)
        tracked = apply_replace(host, old, replace)
        self._unanswered[tracked.hash] = tracked  # placed in a batch not yet durable, as an order's
        return Replaced(tracked.hash, replace_answer(old, tracked))

    async def _signed(self, host: EngineHost, entry: Entry, body: Any) -> dict[str, Any]:
        """A bulk cancel or a cancel-after, checked as the engine process's own `POST /v1/orders/cancel` and
        `POST /v1/orders/cancel-after` check them; what they answer."""
        if entry.kind == CANCEL_ALL:
            bulk = parse_bulk_cancel_request(body)
            check_cancel_all(host, bulk)
            await self._count(bulk.maker, entry)
            return apply_cancel_all(host, bulk)
        switch = parse_cancel_after_request(body)
        check_cancel_after(host, switch)
        await self._count(switch.maker, entry)
        return apply_cancel_after(host, switch)

    async def _count(self, maker: str, entry: Entry) -> None:
        """Count a command against `maker`'s rate limit, once its signature was found the maker's (a request the
        wallet did not sign must not spend its limit). One delivered again (read from the pending list, or claimed)
        is not counted: it may have been counted when first read, and a cancel sent once must not be refused for
        the limit its first delivery spent, leaving the order open."""
        if self._hit_address is not None and not entry.redelivered:
            await self._hit_address(maker)

    def _cancelled_before(
        self, host: EngineHost, entry: Entry, error: HdexError, order_hash: str, signature: bytes, reason: str
    ) -> dict[str, Any]:
        """The view of order `order_hash` when `error` refused a redelivered command that had cancelled it (the
        order cancelled for `reason`: CANCELLED_BY_USER, its maker's cancel; REPLACED_REASON, a cancel-replace) by
        its maker's `signature`: one applied and stored before whose answer was never sent (the engine died first,
        or Redis went away), answered now as then instead of ORDER_NOT_OPEN. Else `error` is raised again: a
        cancel sent anew of an order no longer open is refused as the engine process's own door refuses it."""
        if not entry.redelivered or error.code is not ErrorCode.ORDER_NOT_OPEN:
            raise error
        view = self._order_view(host, order_hash)
        if view is None or (view["status"], view["reason"]) != (OrderStatus.CANCELLED, reason):
            raise error  # filled, expired or cancelled otherwise: not this command's doing
        try:
            verify_cancel(host.domain, view["order"]["maker"], bytes.fromhex(order_hash[2:]), signature)
        except HdexError:
            raise error from None
        return view

    def _stored(self, host: EngineHost, order_hash: str) -> bool:
        """Whether an order of this hash was kept (one expired since is known to the database only)."""
        return self._order_view(host, order_hash) is not None


def _partly_replaced_again(cancelled: dict[str, Any]) -> dict[str, Any]:
    """What a cancel-replace delivered again answers when its cancel stands and its new order was refused: the
    409 it was first answered, with `refused` null, as why the order was refused is not kept."""
    why = "why is not kept: this answers the request delivered again"
    refusal = HdexError(
        ErrorCode.REPLACE_PARTLY_FAILED, f"the old order was cancelled but the new order was refused ({why})"
    )
    return partly_replaced_body(refusal, cancelled, None)


def stream_client(redis_url: str) -> aioredis.Redis:
    """A Redis client for the command stream, a replica's or the engine's: a reply not read within
    REDIS_READ_TIMEOUT_S fails the read (the readers read on), instead of the library's default deciding."""
    return aioredis.Redis.from_url(redis_url, socket_timeout=REDIS_READ_TIMEOUT_S)


def command_key(settings: Settings) -> bytes | None:
    """HDEX_COMMAND_KEY as bytes, if set."""
    return None if settings.command_key is None else settings.command_key.get_secret_value().encode()


@asynccontextmanager
async def consuming_commands(
    container: Container, trading: TradingService, hit_address: Callable[[str], Awaitable[None]]
) -> AsyncIterator[None]:
    """Run the engine process's `CommandConsumer` on the serving loop while the block runs; `hit_address` counts a
    signed write against its wallet's rate limit."""
    assert container.settings.redis_url is not None  # the settings refuse a command stream without Redis
    client = stream_client(container.settings.redis_url)

    def view(host: EngineHost, order_hash: str) -> dict[str, Any] | None:
        with container.uow() as uow:
            return order_view(uow.session, host, order_hash)

    settings = container.settings
    consumer = CommandConsumer(
        client, lambda: trading.host, view, settings.engine_consumer, settings.engine_lease_s, trading.lease.time_left,
        key=command_key(settings), hit_address=hit_address,
    )  # fmt: skip
    COMMAND_STREAM_MAX_LEN.set(settings.command_stream_max_len)
    task = asyncio.create_task(consumer.run(), name="command-stream")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.aclose()


def _remember(kept: collections.OrderedDict[bytes, float], ids: list[bytes], now: float, for_s: float) -> None:
    """Note `ids` at loop time `now` in `kept` (oldest first), dropping those noted more than `for_s` ago: memory
    stays bounded however long the process runs."""
    while kept and next(iter(kept.values())) < now - for_s:
        kept.popitem(last=False)
    kept.update(dict.fromkeys(ids, now))
