"""`AsyncHdexClient`: the asyncio twin of `HdexClient`, plus WebSocket streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import websockets

from backend.client.chain import deposit_onchain
from backend.client.core import (
    DEFAULT_TIMEOUT_S,
    NOT_THERE,
    ORDERS_PATH,
    REPLACE_PATH,
    RESEND_BACKOFF_S,
    RESENDS,
    WITHDRAWAL_FINAL,
    WITHDRAWALS_PATH,
    ClientMarket,
    Signer,
    balances_by_token,
    credited,
    read_back_after,
    withdrawal_fee,
)
from backend.client.errors import (
    BOOK_GAP,
    NETWORK,
    HdexClientError,
    OrderOutcomeUnknown,
    StreamClosed,
    WaitTimeout,
    answer_body,
    network_error,
    resend_delay,
)

NORMAL_CLOSE = 1000
NO_CLOSE_FRAME = 1006  # the connection ended without a close frame (RFC 6455 7.4.1)


class AsyncHdexClient:
    """Async order entry and streams: `async with AsyncHdexClient(url, key) as client: ...`. Errors, and the
    resending of a signed order whose outcome is unknown, as `HdexClient`'s."""

    def __init__(
        self,
        base_url: str,
        private_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        rpc_url: str | None = None,
        *,
        resends: int = RESENDS,
        resend_backoff_s: float = RESEND_BACKOFF_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self.resends, self.resend_backoff_s = resends, resend_backoff_s
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
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.RequestError as exc:
            raise network_error(method, path, exc) from exc
        return answer_body(response.status_code, response.content, response.headers)

    async def _send_signed_order(
        self, path: str, order_hash: str, body: dict[str, Any], after_unknown: bool = False
    ) -> dict[str, Any]:
        """As `HdexClient._send_signed_order`."""
        resent = 0
        while True:
            try:
                result: dict[str, Any] = await self._call("POST", path, json=body)
                return result
            except HdexClientError as error:
                if read_back_after(error, path, order_hash, body, after_unknown, resent, self.resends):
                    return await self._taken_before(path, order_hash, body, error, resent + 1)
                after_unknown, resent = True, resent + 1
                await asyncio.sleep(resend_delay(resent, error, self.resend_backoff_s))

    async def _taken_before(
        self, path: str, order_hash: str, body: dict[str, Any], refusal: HdexClientError, attempts: int
    ) -> dict[str, Any]:
        """As `HdexClient._taken_before`."""
        try:
            if path == WITHDRAWALS_PATH:
                return await self.withdrawal(order_hash)
            order = await self.order(order_hash)
            if path == REPLACE_PATH:
                return {"cancelled": await self.order(body["cancel"]["orderHash"]), "order": order}
            return order
        except HdexClientError as error:
            if error.code in NOT_THERE:
                raise refusal from None
            raise OrderOutcomeUnknown(order_hash, path, body, error, attempts) from error

    async def resend(self, unknown: OrderOutcomeUnknown) -> dict[str, Any]:
        """As `HdexClient.resend`."""
        return await self._send_signed_order(unknown.path, unknown.order_hash, unknown.body, after_unknown=True)

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
        order_hash, body = (await self._order_signer()).order_body(self.markets[market], side, amount, price, **options)
        return await self._send_signed_order(ORDERS_PATH, order_hash, body)

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
        new_hash, order_body = signer.order_body(self.markets[market], side, amount, price, **options)
        return await self._send_signed_order(REPLACE_PATH, new_hash, signer.replace_body(order_hash, order_body))

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
        withdrawal_hash, body = (await self.signer()).withdrawal_body(
            token, amount, fee, recipient=recipient, travel_rule=travel_rule, **options
        )
        return await self._send_signed_order(WITHDRAWALS_PATH, withdrawal_hash, body)

    async def withdrawal_quote(self, token: str | None = None, amount: int | None = None) -> dict[str, Any]:
        """As `HdexClient.withdrawal_quote`."""
        params = {} if token is None or amount is None else {"token": token, "amount": str(amount)}
        result: dict[str, Any] = await self._call("GET", "/v1/withdrawals/quote", params=params)
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

        Book messages are checked against their `seq` (`follow_book`): a delta the book already holds is skipped,
        a gap raises `HdexClientError` BOOK_GAP, so the caller resubscribes for a fresh snapshot. The server's
        `{"op": "gap", "channel": key}` (messages of `key` may have been lost) raises BOOK_GAP for a book and is
        yielded for any other channel: read its state again (balances, orders, trades). After a BOOK_GAP or a
        close, an account channel's state is read again too: what came meanwhile may not have reached the stream.
        The stream ends when the server closes it normally (1000); any other close raises `StreamClosed`
        (STREAM_CLOSED, with its `close_code`: 1013 too slow a reader, ...), and a socket that cannot be opened
        NETWORK.
        """
        url = "ws" + self.base_url.removeprefix("http") + "/v1/ws"
        try:
            connection = await websockets.connect(url)
        except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            raise HdexClientError(0, NETWORK, f"cannot open {url}: {type(exc).__name__}: {exc}") from exc
        async with connection as ws:
            book_seq: dict[str, int] = {}
            try:
                with contextlib.suppress(websockets.ConnectionClosed):  # what came before the close is still read
                    for subscription in subscriptions:
                        await ws.send(json.dumps({"op": "subscribe", **subscription}))
                while True:
                    message: dict[str, Any] = json.loads(await ws.recv())
                    if follow_book(book_seq, message):
                        yield message
            except websockets.ConnectionClosed as closed:
                if closed.rcvd is not None and closed.rcvd.code == NORMAL_CLOSE:
                    return
                code, reason = (NO_CLOSE_FRAME, "") if closed.rcvd is None else (closed.rcvd.code, closed.rcvd.reason)
                raise StreamClosed(code, reason) from None


def follow_book(book_seq: dict[str, int], message: dict[str, Any]) -> bool:
    """Whether a stream message is to be passed on, keeping the `seq` each book is at in `book_seq`. A snapshot
    starts its book afresh; a delta at or below that seq is already in the book (sent before a newer snapshot)
    and skipped; a delta beyond the next seq means a lost message: BOOK_GAP, as does the server's gap notice
    for a book (`{"op": "gap", "channel": "book:<market>"}`; one for another channel is passed on)."""
    if message.get("op") == "gap" and str(message.get("channel", "")).startswith("book:"):
        raise HdexClientError(0, BOOK_GAP, f"the server lost messages of {message['channel']}: resubscribe")
    if message.get("channel") != "book":
        return True
    market, seq = message["market"], int(message["seq"])
    last = book_seq.get(market)
    if message.get("type") == "delta" and last is not None:
        if seq <= last:
            return False
        if seq > last + 1:
            raise HdexClientError(0, BOOK_GAP, f"book {market} jumped from seq {last} to {seq}: resubscribe")
    book_seq[market] = seq
    return True


async def _poll(
    check: Callable[[], Awaitable[dict[str, Any] | None]], timeout: float, poll_s: float, what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (found := await check()) is None:
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"no {what} within {timeout} s")
        await asyncio.sleep(poll_s)
    return found
