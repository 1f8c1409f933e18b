"""`AsyncHdexClient`: the asyncio twin of `HdexClient`, plus WebSocket streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

from backend.client.core import ClientMarket, HdexClientError, Signer, raise_for_error


class AsyncHdexClient:
    """Async order entry and streams: `async with AsyncHdexClient(url, key) as client: ...`."""

    def __init__(self, base_url: str, private_key: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self._key = private_key
        self._signer: Signer | None = None
        self.markets: dict[str, ClientMarket] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncHdexClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._http.request(method, path, **kwargs)
        body = response.json()
        raise_for_error(response.status_code, body, response.headers)
        return body

    async def signer(self) -> Signer:
        if self._signer is None:
            if self._key is None:
                raise ValueError("this client has no private key: it can only read")
            self._signer = Signer(self._key, Signer.domain_from_json(await self._call("GET", "/v1/eip712")))
        return self._signer

    async def load_markets(self) -> dict[str, ClientMarket]:
        body = await self._call("GET", "/v1/markets")
        self.markets = {m["name"]: ClientMarket.from_json(m) for m in body["markets"]}
        return self.markets

    async def place_order(self, market: str, side: str, amount: int, price: int, **options: Any) -> dict[str, Any]:
        if market not in self.markets:
            await self.load_markets()
        _, body = (await self.signer()).order_body(self.markets[market], side, amount, price, **options)
        result: dict[str, Any] = await self._call("POST", "/v1/orders", json=body)
        return result

    async def cancel_order(self, order_hash: str) -> dict[str, Any]:
        body = (await self.signer()).cancel_body(order_hash)
        result: dict[str, Any] = await self._call("DELETE", f"/v1/orders/{order_hash}", json=body)
        return result

    async def cancel_all(self, market: str | None = None) -> list[str]:
        body = (await self.signer()).cancel_all_body(market)
        cancelled: list[str] = (await self._call("POST", "/v1/orders/cancel", json=body))["cancelled"]
        return cancelled

    async def order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/v1/orders/{order_hash}")
        return result

    async def stream(self, *subscriptions: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Subscribe (e.g. `{"channel": "book", "market": "WETH-USDC"}`) and yield every message.

        Book messages are checked for gaps: a delta whose `seq` does not follow the last one raises
        `HdexClientError("BOOK_GAP")`, so the caller resubscribes for a fresh snapshot.
        """
        url = "ws" + self.base_url.removeprefix("http") + "/v1/ws"
        async with websockets.connect(url) as ws:
            for subscription in subscriptions:
                await ws.send(json.dumps({"op": "subscribe", **subscription}))
            book_seq: dict[str, int] = {}
            async for raw in ws:
                message: dict[str, Any] = json.loads(raw)
                if message.get("channel") == "book":
                    market, seq = message["market"], int(message["seq"])
                    if message["type"] == "delta" and seq != book_seq.get(market, seq - 1) + 1:
                        raise HdexClientError(0, "BOOK_GAP", f"book {market} jumped to seq {seq}")
                    book_seq[market] = seq
                yield message
