"""WebSocket `/v1/ws`: subscribe to book, trades, candles, ticker and account channels.

Client messages (JSON text frames):
- `{"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 50}`: a `snapshot`
  (with `seq`), then `delta`s, each with the next `seq`; a jump means a lost message: resubscribe.
  `depth` is an integer 1..1000 (as `GET /v1/markets/{market}/book`), default 50.
- `{"op": "subscribe", "channel": "trades" | "ticker", "market": ...}`,
  `{"op": "subscribe", "channel": "candles", "market": ..., "interval": "1m"}`,
  `{"op": "subscribe", "channel": "account", "address": "0x..."}` (orders, fills, balance changes),
  `{"op": "subscribe", "channel": "markets"}`: every market's `{"channel": "markets", "type": "marketStatus",
  "market", "state", "halt"}` at once, then one whenever a risk halt starts or ends (`halt`: null or as in
  `GET /v1/markets`; `state` reads cancel_only during a halt).
- `{"op": "unsubscribe", ...same fields...}`, `{"op": "ping"}` (answered by `{"op": "pong"}`).
Replies: `{"op": "subscribed" | "unsubscribed", "channel": ..., ...}` or
`{"op": "error", "error": {"code", "message", "field"}}`. `{"op": "gap", "channel": ...}`: the channel's messages
from other processes may have been lost (backend.marketdata.bus): read its state again.

Every message is checked against one schema (`ClientMessage`) before anything happens; a bad one
gets an error reply and the socket stays open: MALFORMED_JSON (not a JSON object, or a binary
frame), BODY_TOO_LARGE (over `MAX_MESSAGE_BYTES` = 4096 bytes of UTF-8), INVALID_FIELD (a field
of the wrong type, out of range, or not in the schema: a misspelt field is refused rather than
silently defaulted), UNKNOWN_MARKET, RATE_LIMITED (over `MAX_CHANNELS` channels on the connection, over
HDEX_WS_MAX_SUBSCRIPTIONS_PER_IP across the client IP's connections, or over the client IP's message budget:
HDEX_WS_MESSAGES_PER_S on average and HDEX_WS_MESSAGE_BURST at once, each frame weighing 1 but a book
subscribe, whose snapshot weighs by depth as `GET .../book` does; a refused message does nothing). The budget is
the client IP's, shared by its connections and kept after they close until it has refilled: reconnecting does
not refill it. The handshake itself spends the per-IP request limit (backend/api/ratelimit.py: over it, 1008).
The server itself closes a socket with 1009 on a frame over `HDEX_MAX_BODY_BYTES` (see backend/api/server.py),
with 1008 when the client IP already holds HDEX_WS_MAX_CONNECTIONS_PER_IP connections, with 1013 when the
client reads too slowly (its queue overflowed, or a message waited HDEX_WS_SEND_TIMEOUT_S to be sent) or when the
process stands by for the engine lease (another process runs the book), and with 1012 when this process's engine
host stopped (another process took the book over: its views here would stand still): it should reconnect and
resubscribe. A client IP is its `client_key` (an IPv6 client: its /64). The per-IP counts are each
API process's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backend.api.client_ip import client_key
from backend.api.ratelimit import book_weight
from backend.errors import ErrorCode, HdexError
from backend.marketdata.candles import INTERVALS_MS
from backend.marketdata.hub import BookView, MarketDataHub, Subscription
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address

router = APIRouter()
MAX_CHANNELS = 50
HOLD_DELTAS = sys.maxsize  # a book seq no delta reaches: each is held back (dropped) until the snapshot
MAX_MESSAGE_BYTES = 4096  # a subscribe message is ~100 bytes; nothing legitimate comes close
MAX_BOOK_DEPTH = 1000  # the bound of GET /v1/markets/{market}/book
TOO_SLOW = (1013, "too slow: resubscribe")
Channel = Literal["book", "trades", "candles", "ticker", "account", "markets"]
CHANNELS: tuple[str, ...] = get_args(Channel)


class ClientMessage(BaseModel):
    """One inbound message. Strict: no coercion (`true` is not a depth, `"5"` is not 5), no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    op: Literal["subscribe", "unsubscribe", "ping"]
    channel: Channel | None = None
    market: str | None = None
    interval: str = "1m"
    depth: Annotated[int, Field(ge=1, le=MAX_BOOK_DEPTH)] = 50
    address: str | None = None


def parse_message(frame: str | bytes) -> ClientMessage:
    """The message in one inbound frame, or HdexError saying what is wrong with it."""
    if isinstance(frame, bytes):
        raise HdexError(ErrorCode.MALFORMED_JSON, "messages must be text frames holding a JSON object")
    if len(frame.encode()) > MAX_MESSAGE_BYTES:
        raise HdexError(ErrorCode.BODY_TOO_LARGE, f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    try:
        return ClientMessage.model_validate_json(frame)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] in ("json_invalid", "model_type"):
            raise HdexError(ErrorCode.MALFORMED_JSON, "messages must be JSON objects") from None
        field = ".".join(str(part) for part in first["loc"]) or None
        raise HdexError(ErrorCode.INVALID_FIELD, first["msg"], field) from None


def channel_key(message: ClientMessage, markets: Mapping[str, object]) -> str:
    """The hub key a (un)subscribe message names, or HdexError."""
    channel = message.channel
    if channel is None:
        raise HdexError(ErrorCode.INVALID_FIELD, f"channel must be one of {', '.join(CHANNELS)}", "channel")
    if channel == "account":
        return f"account:{checksum(parse_address(message.address, 'address'))}"
    if channel == "markets":  # every market's status on one channel
        return "markets"
    market = message.market
    if market is None:
        raise HdexError(ErrorCode.INVALID_FIELD, f"the {channel} channel needs a market", "market")
    if market not in markets:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, "no such market", "market")
    if channel == "candles":
        if message.interval not in INTERVALS_MS:
            raise HdexError(ErrorCode.INVALID_FIELD, "interval must be 1m 5m 15m 1h 4h or 1d", "interval")
        return f"candles:{market}:{message.interval}"
    return f"{channel}:{market}"


class MessageBudget:
    """A client IP's budget for inbound messages (a token bucket): `per_s` of weight a second on average, up to
    `burst` at once. A book snapshot is sorted and sent per subscribe, also a repeated one, so it weighs by depth."""

    def __init__(self, per_s: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_s, self.burst, self._clock = per_s, burst, clock
        self.tokens, self._at = float(burst), clock()

    def spend(self, weight: int) -> None:
        """Take `weight` from the budget, or HdexError(RATE_LIMITED) taking nothing."""
        self._refill()
        if self.tokens < weight:
            raise HdexError(
                ErrorCode.RATE_LIMITED,
                f"too many messages from this client address: {self.per_s:g} a second on average across its "
                "connections (a book subscribe weighs by depth); slow down",
                "op",
            )
        self.tokens -= weight

    def full(self) -> bool:
        """Whether the budget has refilled to its burst: then it is no different from a new one."""
        self._refill()
        return self.tokens >= self.burst

    def _refill(self) -> None:
        now = self._clock()
        self.tokens, self._at = min(float(self.burst), self.tokens + (now - self._at) * self.per_s), now


class IpAdmission:
    """The WebSocket connections, channel subscriptions and message budget of each client IP (its `client_key`)
    in this process."""

    def __init__(
        self, max_connections: int, max_subscriptions: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_connections = max_connections
        self.max_subscriptions = max_subscriptions
        self.connections: Counter[str] = Counter()
        self.subscriptions: Counter[str] = Counter()
        self.budgets: dict[str, MessageBudget] = {}
        self._clock = clock
        # IPs that hold no connection but a budget still refilling, in the order they left: a budget refills within
        # burst / per_s of its last connection closing, so the oldest is forgotten first
        self._left: dict[str, None] = {}

    def connect(self, ip: str) -> bool:
        """Count a new connection of `ip`, unless it already holds the most it may."""
        self._forget_refilled()
        if self.connections[ip] >= self.max_connections:
            return False
        self.connections[ip] += 1
        self._left.pop(ip, None)
        return True

    def message_budget(self, ip: str, per_s: float, burst: int) -> MessageBudget:
        """The message budget `ip`'s connections share. It outlives them until it has refilled, so a client that
        reconnects finds it as it left it, not full again."""
        budget = self.budgets.get(ip)
        if budget is None:
            budget = self.budgets[ip] = MessageBudget(per_s, burst, self._clock)
        return budget

    def disconnect(self, ip: str, subscriptions: int) -> None:
        self.connections[ip] -= 1
        self.subscriptions[ip] -= subscriptions
        for counter in (self.connections, self.subscriptions):
            if counter[ip] <= 0:
                del counter[ip]
        if ip not in self.connections and ip in self.budgets:
            self._left.pop(ip, None)
            self._left[ip] = None  # the newest to leave
        self._forget_refilled()

    def subscribe(self, ip: str) -> None:
        """Count one more channel of `ip`, or HdexError(RATE_LIMITED) past the most it may hold."""
        if self.subscriptions[ip] >= self.max_subscriptions:
            raise HdexError(
                ErrorCode.RATE_LIMITED, f"at most {self.max_subscriptions} channels per client address", "channel"
            )
        self.subscriptions[ip] += 1

    def unsubscribe(self, ip: str) -> None:
        self.subscriptions[ip] -= 1

    def _forget_refilled(self) -> None:
        """Drop the budgets of IPs without a connection once full again, oldest first: memory for the clients of
        the last burst / per_s seconds, not for every one ever seen."""
        while self._left:
            ip = next(iter(self._left))
            if not self.budgets[ip].full():
                return
            del self._left[ip], self.budgets[ip]


def message_weight(message: ClientMessage) -> int:
    """What a message costs: 1, or what its book snapshot costs to send."""
    if message.op == "subscribe" and message.channel == "book":
        return book_weight(message.depth)
    return 1


class _Session:
    """One socket: its subscription queue, its channels, and the book seq each snapshot was at."""

    def __init__(
        self,
        websocket: WebSocket,
        hub: MarketDataHub,
        markets: Mapping[str, object],
        statuses: Callable[[], list[dict[str, Any]]] = list,
        *,
        admission: IpAdmission,
        ip: str,
        send_timeout_s: float,
        budget: MessageBudget,
    ) -> None:
        self.websocket = websocket
        self.budget = budget
        self.hub = hub
        self.markets = markets
        self.statuses = statuses  # every market's `markets` channel message now
        self.admission = admission
        self.ip = ip
        self.send_timeout_s = send_timeout_s
        self.subscription = Subscription()
        self.keys: set[str] = set()
        self.book_seq: dict[str, int] = {}

    async def handle(self, message: ClientMessage) -> None:
        if message.op == "ping":
            await self.websocket.send_json({"op": "pong"})
            return
        key = channel_key(message, self.markets)
        if message.op == "unsubscribe":
            if key in self.keys:
                self.keys.discard(key)
                self.admission.unsubscribe(self.ip)
            self.hub.detach(key, self.subscription)
            await self.websocket.send_json({"op": "unsubscribed", "channel": key})
            return
        if key not in self.keys:
            if len(self.keys) >= MAX_CHANNELS:
                raise HdexError(ErrorCode.RATE_LIMITED, f"at most {MAX_CHANNELS} channels per connection", "channel")
            self.admission.subscribe(self.ip)
            self.keys.add(key)
        channel, _, target = key.partition(":")
        if channel == "book":
            # Attaching may wait (a Redis bus confirms its subscription) while deltas queue and `forward` sends them:
            # held back until `_initial` takes the snapshot, which holds them, a client would get deltas before it.
            self.book_seq[target] = HOLD_DELTAS
        await self.hub.attach(key, self.subscription)
        await self.websocket.send_json({"op": "subscribed", "channel": key})
        self._initial(key, message)

    def _initial(self, key: str, message: ClientMessage) -> None:
        """Queue a channel's current state (a book snapshot, the ticker, ...) behind the updates already queued:
        `forward` alone sends channel messages, so no delta the snapshot contains can follow it on the wire."""
        channel, _, target = key.partition(":")
        put = self.subscription.put
        if channel == "book":
            snapshot = self.hub.books.setdefault(target, BookView()).snapshot(message.depth)
            self.book_seq[target] = snapshot["seq"]  # now: deltas queued before it are dropped when dequeued
            put({"channel": "book", "market": target, "type": "snapshot", **snapshot})
        elif channel == "ticker":
            put({"channel": "ticker", "market": target, **self.hub.ticker(target)})
        elif channel == "markets":
            for status in self.statuses():
                put({"channel": "markets", **status})
        elif channel == "candles":
            market, _, interval = target.rpartition(":")  # an interval has no ':', a market name may
            candle = self.hub.candles.get(market, {}).get(interval)
            if candle is not None:
                put({"channel": "candles", "market": market, **candle.to_json(interval)})

    async def forward(self) -> None:
        """Send queued channel messages in order; drop book deltas a snapshot already contains. A client that
        falls behind (its queue overflowed, or one message could not be sent within the send timeout: it stopped
        reading) is dropped with 1013 rather than buffered for without bound."""
        subscription = self.subscription
        while True:
            message = await subscription.queue.get()
            if subscription.overflowed or subscription.ended:
                break
            book_delta = message.get("channel") == "book" and message.get("type") == "delta"
            if book_delta and message["seq"] <= self.book_seq.get(message["market"], 0):
                continue
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation that lands as the send
                # completes, and this loop would wait on its queue for ever
                async with asyncio.timeout(self.send_timeout_s):
                    await self.websocket.send_json(message)
            except TimeoutError:
                break
        code, reason = subscription.ended if subscription.ended and not subscription.overflowed else TOO_SLOW
        await close_socket(self.websocket, code, reason)

    def close(self) -> None:
        for key in self.keys:
            self.hub.detach(key, self.subscription)
        self.admission.disconnect(self.ip, len(self.keys))


async def close_socket(websocket: WebSocket, code: int, reason: str) -> None:
    """Close a socket from the server's side; waits at most a second, since a client that stopped reading may not
    take the close frame either."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(1.0):
            await websocket.close(code=code, reason=reason)


async def receive_frame(websocket: WebSocket) -> str | bytes:
    """The next text or binary frame (receive_text would fail on binary); WebSocketDisconnect at the end."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text: str | None = message.get("text")
    return text if text is not None else bytes(message.get("bytes") or b"")


async def _receive(websocket: WebSocket, session: _Session) -> None:
    """Handle the client's messages until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            frame = await receive_frame(websocket)
            try:
                session.budget.spend(1)  # every frame, a malformed one too: each is answered
                message = parse_message(frame)
                session.budget.spend(message_weight(message) - 1)
                await session.handle(message)
            except HdexError as error:
                await websocket.send_json({"op": "error", **error.body()})


@router.websocket("/v1/ws")
async def stream(websocket: WebSocket) -> None:
    """Market-data and account streams (see the module docs)."""
    hub: MarketDataHub = websocket.app.state.hub
    trading = websocket.app.state.trading
    host = trading.host
    admission: IpAdmission = websocket.app.state.ws_admission
    ip = client_key(websocket.client.host if websocket.client else None)
    await websocket.accept()
    if trading.standing_by:  # its hub hears no book: the client retries, through a balancer the running process
        await websocket.close(code=1013, reason="this process stands by: another runs the book; reconnect")
        return
    if not admission.connect(ip):
        await websocket.close(code=1008, reason=f"at most {admission.max_connections} connections per address")
        return
    markets, statuses = ({}, list) if host is None else (
        host.markets, lambda: [host.market_status(name) for name in host.markets]
    )  # fmt: skip
    settings = websocket.app.state.container.settings
    budget = admission.message_budget(ip, settings.ws_messages_per_s, settings.ws_message_burst)  # the IP's
    session = _Session(
        websocket, hub, markets, statuses, admission=admission, ip=ip, send_timeout_s=settings.ws_send_timeout_s,
        budget=budget,
    )  # fmt: skip
    tasks = {asyncio.create_task(session.forward()), asyncio.create_task(_receive(websocket, session))}
    try:
        # Either ends the connection: the client left, or the sender dropped a client too slow to read.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        session.close()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
