"""WebSocket `/v1/ws`: subscribe to book, trades, candles, ticker and account channels.

Client messages (JSON):
- `{"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 50}`: a `snapshot`
  (with `seq`), then `delta`s, each with the next `seq`; a jump means a lost message: resubscribe.
- `{"op": "subscribe", "channel": "trades" | "ticker", "market": ...}`,
  `{"op": "subscribe", "channel": "candles", "market": ..., "interval": "1m"}`,
  `{"op": "subscribe", "channel": "account", "address": "0x..."}` (orders, fills, balance changes).
- `{"op": "unsubscribe", ...same fields...}`, `{"op": "ping"}` (answered by `{"op": "pong"}`).
Replies: `{"op": "subscribed" | "unsubscribed", "channel": ..., ...}` or
`{"op": "error", "error": {"code", "message", "field"}}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from backend.api.errors import ErrorCode, HdexError
from backend.marketdata.candles import INTERVALS_MS
from backend.marketdata.hub import BookView, MarketDataHub, Subscription
from backend.trading.accounts import checksum
from backend.trading.orders import parse_address

router = APIRouter()
MAX_CHANNELS = 50
CHANNELS = ("book", "trades", "candles", "ticker", "account")


def channel_key(message: dict[str, Any], markets: Mapping[str, object]) -> str:
    """The hub key a (un)subscribe message names, or HdexError."""
    channel = message.get("channel")
    if channel not in CHANNELS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"channel must be one of {', '.join(CHANNELS)}", "channel")
    if channel == "account":
        return f"account:{checksum(parse_address(message.get('address'), 'address'))}"
    market = message.get("market")
    if market not in markets:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, "no such market", "market")
    if channel == "candles":
        interval = message.get("interval", "1m")
        if interval not in INTERVALS_MS:
            raise HdexError(ErrorCode.INVALID_FIELD, "interval must be 1m 5m 15m 1h 4h or 1d", "interval")
        return f"candles:{market}:{interval}"
    return f"{channel}:{market}"


class _Session:
    """One socket: its subscription queue, its channels, and the book seq each snapshot was at."""

    def __init__(self, websocket: WebSocket, hub: MarketDataHub, markets: Mapping[str, object]) -> None:
        self.websocket = websocket
        self.hub = hub
        self.markets = markets
        self.subscription = Subscription()
        self.keys: set[str] = set()
        self.book_seq: dict[str, int] = {}

    async def handle(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            raise HdexError(ErrorCode.MALFORMED_JSON, "messages must be JSON objects") from None
        if not isinstance(message, dict):
            raise HdexError(ErrorCode.MALFORMED_JSON, "messages must be JSON objects")
        op = message.get("op")
        if op == "ping":
            await self.websocket.send_json({"op": "pong"})
            return
        if op not in ("subscribe", "unsubscribe"):
            raise HdexError(ErrorCode.INVALID_FIELD, "op must be subscribe, unsubscribe or ping", "op")
        key = channel_key(message, self.markets)
        if op == "unsubscribe":
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

    async def _initial(self, key: str, message: dict[str, Any]) -> None:
        channel, _, target = key.partition(":")
        if channel == "book":
            depth = message.get("depth", 50)
            if not isinstance(depth, int) or not 1 <= depth <= 1000:
                depth = 50
            snapshot = self.hub.books.setdefault(target, BookView()).snapshot(depth)
            self.book_seq[target] = snapshot["seq"]
            await self.websocket.send_json({"channel": "book", "market": target, "type": "snapshot", **snapshot})
        elif channel == "ticker":
            await self.websocket.send_json({"channel": "ticker", "market": target, **self.hub.ticker(target)})
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


@router.websocket("/v1/ws")
async def stream(websocket: WebSocket) -> None:
    """Market-data and account streams (see the module docs)."""
    hub: MarketDataHub = websocket.app.state.hub
    host = websocket.app.state.trading.host
    await websocket.accept()
    session = _Session(websocket, hub, host.markets if host is not None else {})
    sender = asyncio.create_task(session.forward())
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                await session.handle(raw)
            except HdexError as error:
                await websocket.send_json({"op": "error", **error.body()})
    except WebSocketDisconnect:
        pass
    finally:
        session.close()
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
