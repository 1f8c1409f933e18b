"""Abuse limits: per-IP and per-address rate limits (fixed windows, written as the `limits` library parses
them: "1200/minute;20/second"), a body size cap, and no NUL character in a query string.

The counters (`backend.api.windows`) are kept in the process and, when a Redis URL is set, shared with the
other API replicas through Redis every HDEX_RATE_LIMIT_SYNC_S. Every
rate-limited response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
(epoch seconds) and `X-RateLimit-Weight`, what the request cost; a refused one is 429 RATE_LIMITED
with `Retry-After` (seconds) as well. Requests weigh what they cost to answer (`request_weight`, as
Binance weighs them): a deep book snapshot spends more of the per-IP budget than a ticker. A WebSocket
handshake is a request too: one over the limit is closed with 1008 and the reason. Clients are counted under
`client_key` (an IPv6 client per /64). The middlewares are plain ASGI: no per-request task or body copy.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from limits import RateLimitItem, parse_many
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.client_ip import client_key
from backend.api.errors import HTTP_STATUS
from backend.api.windows import MemoryWindows, SharedWindows, Window, Windows
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings

UNLIMITED_PATHS = ("/health", "/metrics", "/docs", "/openapi.json")
# (path pattern, weight) of the reads that cost more than one; the first match wins, anything else weighs 1.
# A book costs by depth (below); a batch of orders places many; lists and candles read many rows; an account's
# history more than its balances; a forum search scores up to 1,000 matches; the exports read everything of a range,
# a case or a wallet (a statistics table as JSON runs the same query as its CSV export).
WEIGHTS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^/v1/markets/[^/]+/(trades|candles)$"), 2),
    (re.compile(r"^/v1/accounts/[^/]+/(orders|fills|deposits|withdrawals)$"), 2),
    (re.compile(r"^/v1/orders/batch$"), 10),  # up to 20 orders; each counts against its maker's limit too
    (re.compile(r"^/v1/forum/search$"), 5),
    (re.compile(r"^/v1/staff/stats/[^/]+$"), 10),
    (re.compile(r"^/v1/staff/cases/[^/]+/report$"), 10),
    (re.compile(r"^/v1/account/export$"), 10),
)
WEBSOCKET_HANDSHAKE_WEIGHT = 1  # its messages then spend the IP's WebSocket message budget (routes/ws.py)
WEBSOCKET_POLICY_VIOLATION = 1008  # the close code of a WebSocket refused for its client's limits
_BOOK = re.compile(r"^/v1/markets/[^/]+/book$")
BOOK_WEIGHTS = ((100, 2), (500, 5))  # (up to this depth, weight); deeper: 10


def request_weight(path: str, query_string: bytes = b"") -> int:
    """What one request counts against its IP's limit."""
    if _BOOK.match(path):
        # The depth as the route reads it (percent-decoded, the last of repeated ones, "+1000" or "01000" as
        # 1000), so no spelling gets a deep book at a shallow one's weight; one it cannot read weighs the most.
        text = QueryParams(query_string.decode("latin-1")).get("depth", "50")
        try:
            depth = int(text)
        except ValueError:
            depth = 1_000
        return book_weight(depth)
    return next((weight for pattern, weight in WEIGHTS if pattern.match(path)), 1)


def book_weight(depth: int) -> int:
    """What a book of `depth` levels costs to send, over HTTP or as a WebSocket snapshot."""
    return next((weight for most, weight in BOOK_WEIGHTS if depth <= most), 10)


class Limits(NamedTuple):
    """The rates of one setting ("10/second;600/minute") and the window each is counted in."""

    rates: list[RateLimitItem]
    windows: list[Window]


def parse_limits(text: str) -> Limits:
    """A setting's limits, parsed once: a request only counts against their windows."""
    rates = parse_many(text)
    windows = [Window(f"{rate.amount}/{rate.multiples}{rate.GRANULARITY.name}", rate.get_expiry() * 1000)
               for rate in rates]  # fmt: skip
    return Limits(rates, windows)


class RateLimiter:
    """Fixed-window limits per client IP and per wallet address."""

    def __init__(self, settings: Settings) -> None:
        self._windows: Windows = (
            SharedWindows(settings.redis_url, settings.rate_limit_sync_s) if settings.redis_url else MemoryWindows()
        )
        self.ip_limits = parse_limits(settings.rate_limit_ip)
        self.address_limits = parse_limits(settings.rate_limit_address)
        # Tighter per-IP limits of endpoints that write or spend on each call (sign-in nonces, the dev faucet).
        self.scoped_limits = {
            "auth": parse_limits(settings.rate_limit_auth),
            "faucet": parse_limits(settings.rate_limit_faucet),
            # accounts and KYC (issue 13): document uploads fill storage; the vendor webhook verifies an HMAC
            "email_link": parse_limits(settings.rate_limit_email_link),  # each saved address mails a link
            "kyc_upload": parse_limits(settings.rate_limit_kyc_upload),
            "kyc_webhook": parse_limits(settings.rate_limit_kyc_webhook),
            "support_upload": parse_limits(settings.rate_limit_support_upload),  # attachments fill storage too
            "stats_events": parse_limits(settings.rate_limit_stats_events),  # each kept event is a row (issue 16)
        }

    async def hit(self, scope: str, key: str, limits: Limits, cost: int = 1) -> dict[str, str]:
        """Count one request of `key` weighing `cost` against every one of `limits`; the rate-limit headers
        of the tightest, or HdexError(RATE_LIMITED) naming the first limit it is past."""
        counts = await self._windows.hit(f"{scope}:{key}", limits.windows, cost)
        headers: dict[str, str] = {}
        for item, count in zip(limits.rates, counts, strict=True):
            remaining = max(0, item.amount - count.used)
            reset = math.ceil(count.ends_at)
            if count.used > item.amount:
                raise HdexError(
                    ErrorCode.RATE_LIMITED,
                    f"rate limit of {item} exceeded for this {scope}",
                    None,
                    {
                        "X-RateLimit-Limit": str(item.amount),
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": str(reset),
                        "X-RateLimit-Weight": str(cost),
                        "Retry-After": str(max(1, reset - int(time.time()))),
                    },
                )
            if not headers or remaining < int(headers["X-RateLimit-Remaining"]):
                headers = {
                    "X-RateLimit-Limit": str(item.amount),
                    "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(reset),
                    "X-RateLimit-Weight": str(cost),
                }
        return headers

    async def close(self) -> None:
        await self._windows.close()

    async def hit_scope(self, scope: str, client: str) -> None:
        """Count one request of `scope` ("auth", "faucet") by `client` (its `client_key`), raising RATE_LIMITED
        past its limit."""
        await self.hit(scope, client, self.scoped_limits[scope])

    async def hit_address(self, address: str) -> None:
        """Count one signed write of `address` (lowercase), raising RATE_LIMITED past the limit."""
        await self.hit("address", address, self.address_limits)


class IpRateLimitMiddleware:
    """Applies the per-IP limits to every HTTP request but health, metrics and docs, and to every WebSocket
    handshake (reconnecting is not free: each one spends `WEBSOCKET_HANDSHAKE_WEIGHT`)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or scope["path"] in UNLIMITED_PATHS or scope["path"].startswith("/docs/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client_key(client[0] if client else None)
        if kind == "websocket":
            cost, answer_starts = WEBSOCKET_HANDSHAKE_WEIGHT, "websocket.accept"
        else:
            cost, answer_starts = request_weight(scope["path"], scope.get("query_string", b"")), "http.response.start"
        try:
            headers = await self.limiter.hit("ip", key, self.limiter.ip_limits, cost=cost)
        except HdexError as error:
            await (_close_websocket(receive, send, error) if kind == "websocket" else _send_error(send, error))
            return
        extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == answer_starts:
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


def _path_pattern(template: str) -> re.Pattern[str]:
    """The paths of a route template: each `{name}` stands for one path segment."""
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"\{[^/{}]+\}", template)) + r"\Z")


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_bytes` with 413 BODY_TOO_LARGE, declared or streamed; the paths in
    `by_path` (file uploads take more, order entry less; a `{name}` segment stands for any one segment) take their own
    limit instead."""

    def __init__(self, app: ASGIApp, max_bytes: int, by_path: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.by_path = [(_path_pattern(path), limit) for path, limit in (by_path or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        max_bytes = next((limit for pattern, limit in self.by_path if pattern.match(path)), self.max_bytes)
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > max_bytes):
                await _send_error(send, self._error(max_bytes))
                return
        received = 0
        started = too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                # A route whose body a model parses catches the cut read and answers 400 "error parsing the
                # body": the answer is what was wrong instead, and the route's own is dropped.
                started = True
                await _send_error(send, self._error(max_bytes))
            if too_large:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _send_error(send, self._error(max_bytes))

    def _error(self, max_bytes: int) -> HdexError:
        return HdexError(ErrorCode.BODY_TOO_LARGE, f"request bodies are limited to {max_bytes} bytes")


class NulQueryMiddleware:
    """Refuses a query string that carries a NUL character (`%00`) with 422 INVALID_FIELD naming the parameter,
    before any route reads it: no HDEX parameter can hold one, and PostgreSQL can neither store nor compare text
    with it (a filter or search would fail with a 500; SQLite would store it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope["query_string"]:
            params = QueryParams(scope["query_string"])
            field = next((name for name, value in params.multi_items() if "\x00" in name + value), None)
            await _send_error(
                send, HdexError(ErrorCode.INVALID_FIELD, "a query parameter cannot hold a NUL character", field)
            )
            return
        await self.app(scope, receive, send)


async def _close_websocket(receive: Receive, send: Send, error: HdexError) -> None:
    """Refuse a WebSocket as the per-IP connection cap does: accepted, then closed with 1008 and the reason (with
    when to retry). A handshake refused outright reaches a browser as a bare 403, and a client of an API replica
    as the engine process not answering; a close passes through the replica with its code and reason."""
    if (await receive())["type"] != "websocket.connect":
        return
    headers = error.headers or {}
    accept = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    reason = f"{error.message}; retry in {headers.get('Retry-After', '1')} s"
    await send({"type": "websocket.accept", "headers": accept})
    await send({"type": "websocket.close", "code": WEBSOCKET_POLICY_VIOLATION, "reason": _close_reason(reason)})


def _close_reason(text: str) -> str:
    """`text` cut to the 123 bytes a close frame's reason holds."""
    return text.encode()[:123].decode(errors="ignore")


async def _send_error(send: Send, error: HdexError) -> None:
    body = json.dumps(error.body()).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.extend((name.lower().encode(), value.encode()) for name, value in (error.headers or {}).items())
    await send({"type": "http.response.start", "status": HTTP_STATUS[error.code], "headers": headers})
    await send({"type": "http.response.body", "body": body})
