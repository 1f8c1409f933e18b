"""A scripted exchange behind httpx's MockTransport for the client's and the bots' tests: it answers the reads a
client makes before signing (domain, nonce, clock, markets, ticker) and records every request; a test sets what
the writes answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient

EXCHANGE = "0x" + "e1" * 20
MARKET_JSON: dict[str, Any] = {
    "name": "WETH-USDC", "baseToken": {"address": "0x" + "0a" * 20, "decimals": 18},
    "quoteToken": {"address": "0x" + "0b" * 20, "decimals": 6}, "tickSize": "10000",
    "lotSize": "1000000000000000", "minNotional": "10000000", "makerFeeRate": 1_000, "takerFeeRate": 2_000,
    "state": "open", "priceSource": None,
}  # fmt: skip
Write = Callable[[httpx.Request], httpx.Response]


def error(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "m"}}, headers=headers)


def placed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={**json.loads(request.content)["order"], "status": "open", "filled": "0"})


class FakeExchange:
    """GET /v1/eip712, /v1/nonce, /v1/time, /v1/markets and a ticker answer from the attributes; every other
    request goes to `writes[(method, route(path))]` (404 without one; an order is placed open by default).
    `requests`: all of them, in order."""

    def __init__(self) -> None:
        self.exchange = EXCHANGE
        self.next_nonce = 1
        self.server_ms = 1_700_000_000_000
        self.markets = [dict(MARKET_JSON)]
        self.ticker: dict[str, Any] = {"last": "3000000000", "bestAsk": "3000000000", "bestBid": "2990000000"}
        self.writes: dict[tuple[str, str], Write] = {("POST", "/v1/orders"): placed}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        reads: dict[str, Callable[[], Any]] = {
            "/v1/eip712": lambda: {"domain": {"chainId": 31337, "verifyingContract": self.exchange}},
            "/v1/nonce": lambda: {"nonce": str(self.next_nonce)},
            "/v1/time": lambda: {"serverTime": self.server_ms},
            "/v1/markets": lambda: {"markets": self.markets},
            "/v1/markets/WETH-USDC/ticker": lambda: self.ticker,
        }
        if request.method == "GET" and path in reads:
            return httpx.Response(200, json=reads[path]())
        write = self.writes.get((request.method, self.route(path)))
        return write(request) if write else error(404, "NOT_FOUND")

    @staticmethod
    def route(path: str) -> str:
        """`path` without the order hash or wallet address in it: "/v1/orders", "/v1/accounts/orders", ..."""
        return "/".join(part for part in path.split("/") if not part.startswith("0x"))

    def sent(self, method: str, path: str) -> list[dict[str, Any]]:
        """The JSON bodies of the requests sent to `path` (as `route` names it)."""
        return [
            json.loads(r.content) if r.content else {}
            for r in self.requests
            if r.method == method and self.route(r.url.path) == path
        ]


def sync_client(exchange: FakeExchange, resends: int = 3) -> HdexClient:
    client = HdexClient("http://hdex.test", DEV_KEYS[5], resends=resends, resend_backoff_s=0)
    client._http = httpx.Client(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    return client


def async_client(exchange: FakeExchange, resends: int = 3) -> AsyncHdexClient:
    client = AsyncHdexClient("http://hdex.test", DEV_KEYS[5], resends=resends, resend_backoff_s=0)
    client._http = httpx.AsyncClient(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    return client
