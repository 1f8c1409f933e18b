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
`{"op": "error", "error": {"code", "message", "field"}}`.

Every message is checked against one schema (`ClientMessage`) before anything happens; a bad one
gets an error reply and the socket stays open: MALFORMED_JSON (not a JSON object, or a binary
frame), BODY_TOO_LARGE (over `MAX_MESSAGE_BYTES` = 4096 bytes of UTF-8), INVALID_FIELD (a field
of the wrong type, out of range, or not in the schema: a misspelt field is refused rather than
silently defaulted), UNKNOWN_MARKET, RATE_LIMITED (over `MAX_CHANNELS` channels). The server
itself closes a socket with 1009 on a frame over `HDEX_MAX_BODY_BYTES` (see backend/api/server.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backend.errors import ErrorCode, HdexError
from backend.marketdata.candles import INTERVALS_MS
from backend.marketdata.hub import BookView, MarketDataHub, Subscription
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address

router = APIRouter()
MAX_CHANNELS = 50
MAX_MESSAGE_BYTES = 4096  # a subscribe message is ~100 bytes; nothing legitimate comes close
MAX_BOOK_DEPTH = 1000  # the bound of GET /v1/markets/{market}/book
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


class _Session:
    """One socket: its subscription queue, its channels, and the book seq each snapshot was at."""

    def __init__(
        self,
        websocket: WebSocket,
        hub: MarketDataHub,
        markets: Mapping[str, object],
        statuses: Callable[[], list[dict[str, Any]]] = list,
    ) -> None:
        self.websocket = websocket
        self.hub = hub
        self.markets = markets
        self.statuses = statuses  # every market's `markets` channel message now
        self.subscription = Subscription()
        self.keys: set[str] = set()
        self.book_seq: dict[str, int] = {}

    async def handle(self, message: ClientMessage) -> None:
        if message.op == "ping":
            await self.websocket.send_json({"op": "pong"})
            return
        key = channel_key(message, self.markets)
        if message.op == "unsubscribe":
            self.keys.discard(key)
            self.hub.detach(key, self.subscription)
            await self.websocket.send_json({"op": "unsubscribed", "channel": key})
            return
        if key not in self.keys and len(self.keys) >= MAX_CHANNELS:
            raise HdexError(ErrorCode.RATE_LIMITED, f"at most {MAX_CHANNELS} channels per connection", "channel")
        self.keys.add(key)
        self.hub.attach(key, self.subscription)
        await self.websocket.send_json({"op": "subscribed", "channel": key})
        await self._initial(key, message)

    async def _initial(self, key: str, message: ClientMessage) -> None:
        channel, _, target = key.partition(":")
        if channel == "book":
            snapshot = self.hub.books.setdefault(target, BookView()).snapshot(message.depth)
            self.book_seq[target] = snapshot["seq"]
            await self.websocket.send_json({"channel": "book", "market": target, "type": "snapshot", **snapshot})
        elif channel == "ticker":
            await self.websocket.send_json({"channel": "ticker", "market": target, **self.hub.ticker(target)})
        elif channel == "markets":
            for status in self.statuses():
                await self.websocket.send_json({"channel": "markets", **status})
        elif channel == "candles":
            market, _, interval = target.partition(":")
            candle = self.hub.candles.get(market, {}).get(interval)
            if candle is not None:
                await self.websocket.send_json({"channel": "candles", "market": market, **candle.to_json(interval)})

    async def forward(self) -> None:
        """Send queued channel messages; drop book deltas a snapshot already contains."""
        queue = self.subscription.queue
        while True:
            message = await queue.get()
            if self.subscription.overflowed:
                await self.websocket.close(code=1013, reason="too slow: resubscribe")
                return
            if message.get("channel") == "book" and message["seq"] <= self.book_seq.get(message["market"], 0):
                continue
            await self.websocket.send_json(message)

    def close(self) -> None:
        for key in self.keys:
            self.hub.detach(key, self.subscription)


async def _receive_frame(websocket: WebSocket) -> str | bytes:
    """The next text or binary frame (receive_text would fail on binary); WebSocketDisconnect at the end."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text: str | None = message.get("text")
    return text if text is not None else bytes(message.get("bytes") or b"")


@router.websocket("/v1/ws")
async def stream(websocket: WebSocket) -> None:
    """Market-data and account streams (see the module docs)."""
    hub: MarketDataHub = websocket.app.state.hub
    host = websocket.app.state.trading.host
    await websocket.accept()
    if host is None:
        session = _Session(websocket, hub, {})
    else:
        session = _Session(websocket, hub, host.markets, lambda: [host.market_status(name) for name in host.markets])
    sender = asyncio.create_task(session.forward())
    try:
        while True:
            frame = await _receive_frame(websocket)
            try:
                await session.handle(parse_message(frame))
            except HdexError as error:
                await websocket.send_json({"op": "error", **error.body()})
    except WebSocketDisconnect:
        pass
    finally:
        session.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
