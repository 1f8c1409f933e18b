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

from backend.client.books import DEFAULT_DEPTH, FollowedBook, depth_asked, follow_book
from backend.client.chain import deposit_onchain
from backend.client.core import (
    BATCH_PATH,
    DEFAULT_TIMEOUT_S,
    KEEPALIVE_EXPIRY_S,
    NOT_THERE,
    ORDERS_PATH,
    REPLACE_PATH,
    RESEND_BACKOFF_S,
    RESENDS,
    WITHDRAWAL_FINAL,
    WITHDRAWALS_PATH,
    ClientMarket,
    Query,
    Signer,
    balances_by_token,
    batch_order,
    batch_outcome,
    batch_send_failed,
    book_query,
    cancel_again,
    credited,
    fills_query,
    first_send_refused,
    market_named,
    open_orders_query,
    read_back_after,
    read_back_refusal,
    signs_again_after_reload,
    stale_state,
    ticker_query,
    trades_query,
    withdrawal_fee,
)
from backend.client.errors import (
    BAD_RESPONSE,
    NETWORK,
    HdexClientError,
    OrderOutcomeUnknown,
    StreamClosed,
    SubscriptionRefused,
    WaitTimeout,
    all_cancelled,
    answer_body,
    network_error,
    outcome_unknown,
    poll_delay,
    resend_delay,
    transient,
)
from backend.signing import Domain

NORMAL_CLOSE = 1000
NO_CLOSE_FRAME = 1006  # the connection ended without a close frame (RFC 6455 7.4.1)
Signed = tuple[str, dict[str, Any]]  # (hash, body) of a signed request


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
        self._http = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)
        )
        self.resends, self.resend_backoff_s = resends, resend_backoff_s
        self._key = private_key
        self.rpc_url = rpc_url
        self._signer: Signer | None = None
        self._signing = asyncio.Lock()  # concurrent first requests build one signer
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

    async def _read(self, query: Query) -> Any:
        answer = await self._call("GET", query.path, params=query.params)
        return answer if query.field is None else answer[query.field]

    async def _send_signed_order(
        self,
        path: str,
        order_hash: str,
        body: dict[str, Any],
        after_unknown: bool = False,
        resign: Callable[[HdexClientError], Awaitable[Signed | None]] | None = None,
    ) -> dict[str, Any]:
        """As `HdexClient._send_signed_order`."""
        resent = 0
        while True:
            try:
                result: dict[str, Any] = await self._call("POST", path, json=body)
                return result
            except HdexClientError as error:
                if resign is not None and first_send_refused(error, after_unknown):
                    signed_again, resign = await resign(error), None
                    if signed_again is not None:
                        order_hash, body = signed_again
                        continue
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
            if error.code in NOT_THERE and refusal.code != BAD_RESPONSE:
                raise refusal from None
            raise OrderOutcomeUnknown(order_hash, path, body, error, attempts) from error

    async def resend(self, unknown: OrderOutcomeUnknown) -> dict[str, Any]:
        """As `HdexClient.resend`."""
        return await self._send_signed_order(unknown.path, unknown.order_hash, unknown.body, after_unknown=True)

    async def resend_batch(self, unknown: OrderOutcomeUnknown) -> list[dict[str, Any] | HdexClientError]:
        """As `HdexClient.resend_batch`."""
        return await self._send_batch(unknown.order_hash, unknown.body, after_unknown=True)

    async def signer(self) -> Signer:
        if self._signer is None:
            async with self._signing:  # checked again: another task may have built it while this one waited
                if self._signer is None:
                    if self._key is None:
                        raise ValueError("this client has no private key: it can only read")
                    self._signer = Signer(self._key, await self._domain())
        return self._signer

    async def _domain(self) -> Domain:
        """As `HdexClient._domain`."""
        return Signer.domain_from_json(await self._call("GET", "/v1/eip712"))

    async def _clocked_signer(self) -> Signer:
        """As `HdexClient._clocked_signer`."""
        signer = await self.signer()
        if signer.clock_stale:
            with contextlib.suppress(HdexClientError):
                sent = time.time_ns()
                server_ms = int((await self.server_time())["serverTime"])
                signer.set_clock(server_ms, sent, time.time_ns())
        return signer

    async def next_nonce(self, address: str | None = None) -> int:
        """The nonce the wallet's next order should carry (`GET /v1/nonce`)."""
        maker = address or (await self.signer()).address
        return int((await self._call("GET", "/v1/nonce", params={"maker": maker}))["nonce"])

    async def _order_signer(self) -> Signer:
        """The signer, numbering orders from the exchange's next nonce for this wallet (asked once)."""
        signer = await self._clocked_signer()
        async with self._numbering:
            if not signer.numbering_orders:
                signer.number_orders_from(await self.next_nonce())
        return signer

    async def _state_read_again(self, refusal: HdexClientError, options: Mapping[str, Any], market: str | None) -> bool:
        """As `HdexClient._state_read_again`."""
        stale = stale_state(refusal, options, order=market is not None)
        try:
            if stale == "nonce":
                signer = await self.signer()
                async with self._numbering:  # never back: continue from the higher of the two
                    signer.number_orders_from(await self.next_nonce())
                return True
            if stale == "domain":
                signer, domain = await self.signer(), await self._domain()
                changed = domain.separator != signer.domain.separator
                signer.domain = domain
                return changed
            if stale == "markets" and market is not None:
                before = self.markets.get(market)
                return signs_again_after_reload(refusal, options, before, (await self.load_markets()).get(market))
        except HdexClientError as error:
            raise refusal from error
        return False

    async def load_markets(self) -> dict[str, ClientMarket]:
        body = await self._call("GET", "/v1/markets")
        self.markets = {m["name"]: ClientMarket.from_json(m) for m in body["markets"]}
        return self.markets

    async def market(self, name: str) -> ClientMarket:
        """As `HdexClient.market`."""
        if name not in self.markets:
            await self.load_markets()
        return market_named(self.markets, name)

    async def place_order(self, market: str, side: str, amount: int, price: int, **options: Any) -> dict[str, Any]:
        """Sign and place an order (options as for `HdexClient.place_order`)."""

        async def sign() -> Signed:
            return (await self._order_signer()).order_body(await self.market(market), side, amount, price, **options)

        async def resign(refusal: HdexClientError) -> Signed | None:
            return await sign() if await self._state_read_again(refusal, options, market) else None

        return await self._send_signed_order(ORDERS_PATH, *await sign(), resign=resign)

    async def place_orders(self, orders: list[Mapping[str, Any]]) -> list[dict[str, Any] | HdexClientError]:
        """As `HdexClient.place_orders`."""
        signer, signed = await self._order_signer(), []
        for order in orders:
            market, side, amount, price, options = batch_order(order)
            signed.append(signer.order_body(await self.market(market), side, amount, price, **options))
        hashes = [order_hash for order_hash, _body in signed]
        body = {"orders": [order_body for _hash, order_body in signed]}
        return await self._send_batch(",".join(hashes), body)

    async def _send_batch(
        self, hashes: str, body: dict[str, Any], after_unknown: bool = False
    ) -> list[dict[str, Any] | HdexClientError]:
        """As `HdexClient._send_batch`."""
        resent = 0
        while True:
            try:
                answer = await self._call("POST", BATCH_PATH, json=body)
            except HdexClientError as error:
                batch_send_failed(error, hashes, body, after_unknown, resent, self.resends)
                after_unknown, resent = True, resent + 1
                await asyncio.sleep(resend_delay(resent, error, self.resend_backoff_s))
                continue
            outcomes = [
                await self._batch_outcome(order_hash, result, after_unknown)
                for order_hash, result in zip(hashes.split(","), answer["results"], strict=True)
            ]
            unknown = [o for o in outcomes if isinstance(o, HdexClientError) and outcome_unknown(o, False)]
            if not unknown or resent == self.resends:
                return outcomes
            after_unknown, resent = True, resent + 1
            await asyncio.sleep(resend_delay(resent, unknown[0], self.resend_backoff_s))

    async def _batch_outcome(
        self, order_hash: str, result: dict[str, Any], after_unknown: bool
    ) -> dict[str, Any] | HdexClientError:
        """As `HdexClient._batch_outcome`."""
        outcome = batch_outcome(result)
        if not isinstance(outcome, HdexClientError) or not read_back_refusal(outcome, after_unknown):
            return outcome
        try:
            return await self.order(order_hash)
        except HdexClientError as error:
            return outcome if error.code in NOT_THERE else error

    async def _cancel(self, what: str, method: str, path: str, sign: Callable[[], Awaitable[dict[str, Any]]]) -> Any:
        """As `HdexClient._cancel`."""
        attempts, domain_read = 0, False
        while True:
            attempts += 1
            try:
                return await self._call(method, path, json=await sign())
            except HdexClientError as error:
                if attempts == 1 and not domain_read and first_send_refused(error, False):
                    domain_read = True
                    if await self._state_read_again(error, {}, None):
                        attempts = 0
                        continue
                if not cancel_again(error, what, attempts, self.resends):
                    return None
                await asyncio.sleep(resend_delay(attempts, error, self.resend_backoff_s))

    async def cancel_order(self, order_hash: str) -> dict[str, Any]:
        """As `HdexClient.cancel_order`."""

        async def sign() -> dict[str, Any]:
            return (await self.signer()).cancel_body(order_hash)

        result = await self._cancel(f"the cancel of {order_hash}", "DELETE", f"/v1/orders/{order_hash}", sign)
        return await self.order(order_hash) if result is None else dict(result)

    async def replace_order(
        self, order_hash: str, market: str, side: str, amount: int, price: int, **options: Any
    ) -> dict[str, Any]:
        """Cancel `order_hash` and place a new order in one step; returns {"cancelled", "order"}."""

        async def sign() -> Signed:
            signer = await self._order_signer()
            new_hash, order_body = signer.order_body(await self.market(market), side, amount, price, **options)
            return new_hash, signer.replace_body(order_hash, order_body)

        async def resign(refusal: HdexClientError) -> Signed | None:
            return await sign() if await self._state_read_again(refusal, options, market) else None

        return await self._send_signed_order(REPLACE_PATH, *await sign(), resign=resign)

    async def cancel_after(self, timeout_ms: int, market: str | None = None) -> dict[str, Any]:
        """As `HdexClient.cancel_after`."""

        async def sign() -> dict[str, Any]:
            return (await self._clocked_signer()).cancel_after_body(timeout_ms, market)

        result: dict[str, Any] = await self._cancel("the cancel-after", "POST", "/v1/orders/cancel-after", sign)
        return result

    async def cancel_all(self, market: str | None = None) -> list[str]:
        """As `HdexClient.cancel_all`."""

        async def sign() -> dict[str, Any]:
            return (await self._clocked_signer()).cancel_all_body(market)

        return all_cancelled(await self._cancel("the bulk cancel", "POST", "/v1/orders/cancel", sign))

    async def order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/v1/orders/{order_hash}")
        return result

    async def open_orders(self, market: str | None = None) -> list[dict[str, Any]]:
        """As `HdexClient.open_orders`."""
        address = await self.address()
        orders: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = await self._read(open_orders_query(address, market, cursor))
            orders.extend(page["orders"])
            if (cursor := page.get("next")) is None:
                return orders

    async def fills_page(
        self, market: str | None = None, limit: int = 100, cursor: str | None = None
    ) -> dict[str, Any]:
        """As `HdexClient.fills_page`."""
        page: dict[str, Any] = await self._read(fills_query(await self.address(), market, limit, cursor))
        return page

    async def fills(self, market: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """As `HdexClient.fills`."""
        fills: list[dict[str, Any]] = []
        cursor = None
        while len(fills) < limit:
            page = await self.fills_page(market, limit - len(fills), cursor)
            fills.extend(page["fills"])
            if (cursor := page.get("next")) is None:
                break
        return fills

    async def book(self, market: str, depth: int = 50) -> dict[str, Any]:
        book: dict[str, Any] = await self._read(book_query(market, depth))
        return book

    async def ticker(self, market: str) -> dict[str, Any]:
        ticker: dict[str, Any] = await self._read(ticker_query(market))
        return ticker

    async def trades(self, market: str, limit: int = 100) -> list[dict[str, Any]]:
        """As `HdexClient.trades`."""
        trades: list[dict[str, Any]] = []
        cursor = None
        while len(trades) < limit:
            page = await self._read(trades_query(market, limit - len(trades), cursor))
            trades.extend(page["trades"])
            if (cursor := page.get("next")) is None:
                break
        return trades

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
        domain = await self._domain()
        return await asyncio.to_thread(deposit_onchain, self.rpc_url, self._key, domain, token, amount, timeout)

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

        async def sign() -> Signed:
            signer = await self.signer()
            return signer.withdrawal_body(token, amount, fee, recipient=recipient, travel_rule=travel_rule, **options)

        async def resign(refusal: HdexClientError) -> Signed | None:
            return await sign() if await self._state_read_again(refusal, options, None) else None

        return await self._send_signed_order(WITHDRAWALS_PATH, *await sign(), resign=resign)

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
        a gap raises `HdexClientError` BOOK_GAP, so the caller resubscribes for a fresh snapshot. A book's snapshot
        holds its best levels only, while deltas come for every level: past the snapshot's last price a level that
        has not changed since is unknown. So the stream subscribes with DEPTH_FACTOR (4) times the `depth` given
        (default 50: 200; at most 1000), yields the snapshot as it comes (up to that many levels per side) and only
        the deltas inside its range, and, when the best levels are taken until fewer than `depth` known levels are
        left on a side, subscribes again itself: a fresh `snapshot` follows (replace the book with it). A book
        rebuilt from what is yielded (a snapshot replaces it, a delta sets a level, 0 removes it) is therefore the
        book's best levels at that `seq`, at least `depth` per side when the book has them. The server's
        `{"op": "gap", "channel": key}` (messages of `key` may have been lost) raises BOOK_GAP for a book and is
        yielded for any other channel: read its state again (balances, orders, trades). After a BOOK_GAP or a
        close, read an account channel's state again yourself on resubscribing (the stream does not): what came
        meanwhile did not reach it.
        The stream ends when the server closes it normally (1000); any other close raises `StreamClosed`
        (STREAM_CLOSED, with its `close_code`: 1013 too slow a reader, ...), and a socket that cannot be opened
        NETWORK. The server answers the subscriptions in order, each `{"op": "subscribed"}` (yielded) or
        `{"op": "error"}`: the latter raises `SubscriptionRefused` with the subscription it answers.
        """
        url = "ws" + self.base_url.removeprefix("http") + "/v1/ws"
        try:
            connection = await websockets.connect(url)
        except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            raise HdexClientError(0, NETWORK, f"cannot open {url}: {type(exc).__name__}: {exc}") from exc
        async with connection as ws:
            books: dict[str, FollowedBook] = {}
            # (subscription, whether the caller's: not the stream's own for a fresh snapshot), in answer order
            unanswered: list[tuple[dict[str, Any], bool]] = []

            async def subscribe(subscription: dict[str, Any], callers: bool) -> None:
                sent = {**subscription}
                if subscription.get("channel") == "book":
                    if callers:  # the stream's own keeps the book's seq and range until its snapshot comes
                        books[str(subscription.get("market"))] = FollowedBook.subscribed(subscription)
                    sent["depth"] = depth_asked(subscription.get("depth", DEFAULT_DEPTH))
                unanswered.append((subscription, callers))
                await ws.send(json.dumps({"op": "subscribe", **sent}))

            try:
                with contextlib.suppress(websockets.ConnectionClosed):  # what came before the close is still read
                    for subscription in subscriptions:
                        await subscribe(subscription, True)
                while True:
                    message: dict[str, Any] = json.loads(await ws.recv())
                    callers = True
                    if unanswered and message.get("op") in ("subscribed", "error"):
                        answered, callers = unanswered.pop(0)
                        if message["op"] == "error":
                            error = message.get("error") or {}
                            refusal, text = str(error.get("code", "")), str(error.get("message", ""))
                            raise SubscriptionRefused(answered, refusal, text, error.get("field"))
                    if not follow_book(books, message) or not callers:
                        continue
                    book = books.get(message["market"]) if message.get("channel") == "book" else None
                    if book is not None and book.needs_snapshot():  # too few known levels left: a fresh snapshot
                        book.refreshing = True
                        again = {"channel": "book", "market": message["market"], "depth": book.depth}
                        await subscribe(again, False)
                    yield message
            except websockets.ConnectionClosed as closed:
                if closed.rcvd is not None and closed.rcvd.code == NORMAL_CLOSE:
                    return
                code, reason = (NO_CLOSE_FRAME, "") if closed.rcvd is None else (closed.rcvd.code, closed.rcvd.reason)
                raise StreamClosed(code, reason) from None


async def _poll(
    check: Callable[[], Awaitable[dict[str, Any] | None]], timeout: float, poll_s: float, what: str
) -> dict[str, Any]:
    """As `backend.client.sync._poll`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if (found := await check()) is not None:
                return found
            failure = None
        except HdexClientError as error:
            if not transient(error):
                raise
            failure = error
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"no {what} within {timeout} s") from failure
        await asyncio.sleep(poll_delay(poll_s, failure))
