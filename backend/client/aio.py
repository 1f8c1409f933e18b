"""`AsyncHdexClient`: the asyncio twin of `HdexClient`, plus WebSocket streams."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import websockets

from backend.client.chain import deposit_onchain
from backend.client.core import (
    WITHDRAWAL_FINAL,
    ClientMarket,
    HdexClientError,
    Signer,
    WaitTimeout,
    balances_by_token,
    credited,
    raise_for_error,
    withdrawal_fee,
)


class AsyncHdexClient:
    """Async order entry and streams: `async with AsyncHdexClient(url, key) as client: ...`."""

    def __init__(
        self, base_url: str, private_key: str | None = None, timeout: float = 10.0, rpc_url: str | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self._key = private_key
        self.rpc_url = rpc_url
        self._signer: Signer | None = None
        self._numbering = asyncio.Lock()  # concurrent first orders ask for the next nonce once
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

    async def next_nonce(self, address: str | None = None) -> int:
        """The nonce the wallet's next order should carry (`GET /v1/nonce`)."""
        maker = address or (await self.signer()).address
        return int((await self._call("GET", "/v1/nonce", params={"maker": maker}))["nonce"])

    async def _order_signer(self) -> Signer:
        """The signer, numbering orders from the exchange's next nonce for this wallet (asked once)."""
        signer = await self.signer()
        async with self._numbering:
            if not signer.numbering_orders:
                signer.number_orders_from(await self.next_nonce())
        return signer

    async def load_markets(self) -> dict[str, ClientMarket]:
        body = await self._call("GET", "/v1/markets")
        self.markets = {m["name"]: ClientMarket.from_json(m) for m in body["markets"]}
        return self.markets

    async def place_order(self, market: str, side: str, amount: int, price: int, **options: Any) -> dict[str, Any]:
        """Sign and place an order (options as for `HdexClient.place_order`)."""
        if market not in self.markets:
            await self.load_markets()
        _, body = (await self._order_signer()).order_body(self.markets[market], side, amount, price, **options)
        result: dict[str, Any] = await self._call("POST", "/v1/orders", json=body)
        return result

    async def cancel_order(self, order_hash: str) -> dict[str, Any]:
        body = (await self.signer()).cancel_body(order_hash)
        result: dict[str, Any] = await self._call("DELETE", f"/v1/orders/{order_hash}", json=body)
        return result

    async def replace_order(
        self, order_hash: str, market: str, side: str, amount: int, price: int, **options: Any
    ) -> dict[str, Any]:
        """Cancel `order_hash` and place a new order in one step; returns {"cancelled", "order"}."""
        if market not in self.markets:
            await self.load_markets()
        signer = await self._order_signer()
        _, order_body = signer.order_body(self.markets[market], side, amount, price, **options)
        result: dict[str, Any] = await self._call(
            "POST", "/v1/orders/replace", json=signer.replace_body(order_hash, order_body)
        )
        return result

    async def cancel_after(self, timeout_ms: int, market: str | None = None) -> dict[str, Any]:
        """Dead-man switch: unless called again within `timeout_ms`, cancel every open order; 0: off."""
        body = (await self.signer()).cancel_after_body(timeout_ms, market)
        result: dict[str, Any] = await self._call("POST", "/v1/orders/cancel-after", json=body)
        return result

    async def cancel_all(self, market: str | None = None) -> list[str]:
        body = (await self.signer()).cancel_all_body(market)
        cancelled: list[str] = (await self._call("POST", "/v1/orders/cancel", json=body))["cancelled"]
        return cancelled

    async def order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/v1/orders/{order_hash}")
        return result

    async def address(self) -> str:
        return (await self.signer()).address

    async def balances(self, address: str | None = None) -> dict[str, dict[str, Any]]:
        """As `HdexClient.balances`."""
        return balances_by_token(await self._call("GET", f"/v1/accounts/{address or await self.address()}/balances"))

    async def server_time(self) -> dict[str, Any]:
        """As `HdexClient.server_time`."""
        result: dict[str, Any] = await self._call("GET", "/v1/time")
        return result

    async def fees(self, address: str | None = None) -> dict[str, Any]:
        """As `HdexClient.fees`."""
        result: dict[str, Any] = await self._call("GET", f"/v1/accounts/{address or await self.address()}/fees")
        return result

    async def deposits(self, limit: int = 100, cursor: str | None = None, address: str | None = None) -> dict[str, Any]:
        """As `HdexClient.deposits`."""
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        path = f"/v1/accounts/{address or await self.address()}/deposits"
        result: dict[str, Any] = await self._call("GET", path, params=params)
        return result

    async def withdrawals(
        self, limit: int = 100, cursor: str | None = None, address: str | None = None
    ) -> dict[str, Any]:
        """As `HdexClient.withdrawals`."""
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        path = f"/v1/accounts/{address or await self.address()}/withdrawals"
        result: dict[str, Any] = await self._call("GET", path, params=params)
        return result

    async def deposit(self, token: str, amount: int, timeout: float = 120.0) -> str:
        """As `HdexClient.deposit` (the chain calls run in a worker thread)."""
        if self.rpc_url is None or self._key is None:
            raise ValueError("a deposit needs the client's private key and an rpc_url")
        exchange = (await self.signer()).domain.verifying_contract
        return await asyncio.to_thread(deposit_onchain, self.rpc_url, self._key, exchange, token, amount, timeout)

    async def wait_for_deposit(self, tx_hash: str, timeout: float = 120.0, poll_s: float = 1.0) -> dict[str, Any]:
        """As `HdexClient.wait_for_deposit`."""

        async def check() -> dict[str, Any] | None:
            return credited(await self.deposits(), tx_hash)

        return await _poll(check, timeout, poll_s, f"deposit {tx_hash} credited")

    async def withdraw(
        self,
        token: str,
        amount: int,
        *,
        recipient: str | None = None,
        max_fee: int | None = None,
        travel_rule: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """As `HdexClient.withdraw`."""
        fee = withdrawal_fee(amount, await self.fees()) if max_fee is None else max_fee
        _, body = (await self.signer()).withdrawal_body(
            token, amount, fee, recipient=recipient, travel_rule=travel_rule, **options
        )
        result: dict[str, Any] = await self._call("POST", "/v1/withdrawals", json=body)
        return result

    async def travel_rule_threshold(self, token: str | None = None, amount: int | None = None) -> dict[str, Any]:
        """As `HdexClient.travel_rule_threshold`."""
        params = {} if token is None or amount is None else {"token": token, "amount": str(amount)}
        result: dict[str, Any] = await self._call("GET", "/v1/withdrawals/travel-rule", params=params)
        return result

    async def withdrawal(self, withdrawal_hash: str) -> dict[str, Any]:
        """As `HdexClient.withdrawal`."""
        result: dict[str, Any] = await self._call("GET", f"/v1/withdrawals/{withdrawal_hash}")
        return result

    async def wait_for_withdrawal(
        self, withdrawal_hash: str, timeout: float = 300.0, poll_s: float = 1.0
    ) -> dict[str, Any]:
        """As `HdexClient.wait_for_withdrawal`."""

        async def final() -> dict[str, Any] | None:
            current = await self.withdrawal(withdrawal_hash)
            return current if current["status"] in WITHDRAWAL_FINAL else None

        return await _poll(final, timeout, poll_s, f"withdrawal {withdrawal_hash} final")

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


async def _poll(
    check: Callable[[], Awaitable[dict[str, Any] | None]], timeout: float, poll_s: float, what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (found := await check()) is None:
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"no {what} within {timeout} s")
        await asyncio.sleep(poll_s)
    return found
