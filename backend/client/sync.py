"""`HdexClient`: the synchronous client (httpx). Its async twin is `backend.client.aio`."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

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
    HdexClientError,
    OrderOutcomeUnknown,
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

Signed = tuple[str, dict[str, Any]]  # (hash, body) of a signed request


class HdexClient:
    """One wallet's session with the API: `HdexClient(url, private_key)`; without a key, read-only.
    Deposits also need `rpc_url` (a chain node): they are transactions the wallet sends itself.

    Every failed request raises `HdexClientError`: the API's refusals with its code, no answer as NETWORK, an
    answer that is not HDEX's JSON as HTTP_ERROR. A signed order (or replace) left without a clear answer (no
    answer, a 5xx) is sent again as signed, `resends` times at most, after `resend_backoff_s` doubling each time
    (or the answer's Retry-After): the exchange places it once. If its outcome is still unknown,
    `OrderOutcomeUnknown` carries its hash and signed body (see `resend`). A success answer that cannot be read
    is read back (the exchange took the order). A cancel is sent again the same way (a bulk cancel re-stamped);
    `CancelOutcomeUnknown` if its outcome stays unknown.

    A definite refusal of an order's first send that stale client state explains (NONCE_USED, NONCE_BELOW_FLOOR;
    SIGNER_NOT_MAKER, INVALID_SIGNATURE after a redeployment; MAX_FEE_TOO_LOW, PRICE_OFF_TICK, QUANTITY_OFF_LOT,
    STOP_NEEDS_PRICE_SOURCE after a market changed) reads that state again: the next nonce (unless the caller
    chose it), the EIP-712 domain, the markets. The order is then signed anew once where that alone can change
    the answer (a new nonce, a new domain, a max fee rate of the client's own choosing); else the refusal is
    raised."""

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
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S)
        )
        self.resends, self.resend_backoff_s = resends, resend_backoff_s
        self._key = private_key
        self.rpc_url = rpc_url
        self._signer: Signer | None = None
        self._signing = threading.Lock()  # threads signing their first requests build one signer
        self._numbering = threading.Lock()  # threads placing their first orders ask for the next nonce once
        self.markets: dict[str, ClientMarket] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HdexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.RequestError as exc:
            raise network_error(method, path, exc) from exc
        return answer_body(response.status_code, response.content, response.headers)

    def _read(self, query: Query) -> Any:
        answer = self._call("GET", query.path, params=query.params)
        return answer if query.field is None else answer[query.field]

    def _send_signed_order(
        self,
        path: str,
        order_hash: str,
        body: dict[str, Any],
        after_unknown: bool = False,
        resign: Callable[[HdexClientError], Signed | None] | None = None,
    ) -> dict[str, Any]:
        """POST a signed order (or replace, or withdrawal request) body; while its outcome is unknown, send the same
        body again (see the class docs). A resend refused as a copy of an earlier send is answered with what that
        send made. `resign`: given a definite refusal of the first send, the request signed anew (sent as a first
        send, once), or None to raise the refusal."""
        resent = 0
        while True:
            try:
                result: dict[str, Any] = self._call("POST", path, json=body)
                return result
            except HdexClientError as error:
                if resign is not None and first_send_refused(error, after_unknown):
                    signed_again, resign = resign(error), None
                    if signed_again is not None:
                        order_hash, body = signed_again
                        continue
                if read_back_after(error, path, order_hash, body, after_unknown, resent, self.resends):
                    return self._taken_before(path, order_hash, body, error, resent + 1)
                after_unknown, resent = True, resent + 1
                time.sleep(resend_delay(resent, error, self.resend_backoff_s))

    def _taken_before(
        self, path: str, order_hash: str, body: dict[str, Any], refusal: HdexClientError, attempts: int
    ) -> dict[str, Any]:
        """The answer an earlier send would have had, read back: the order (for a replace, with the one it
        cancelled), or the withdrawal request; the resend's `refusal` if it is not there (the replace was not
        applied)."""
        try:
            if path == WITHDRAWALS_PATH:
                return self.withdrawal(order_hash)
            order = self.order(order_hash)
            if path == REPLACE_PATH:
                return {"cancelled": self.order(body["cancel"]["orderHash"]), "order": order}
            return order
        except HdexClientError as error:
            if error.code in NOT_THERE and refusal.code != BAD_RESPONSE:
                raise refusal from None
            raise OrderOutcomeUnknown(order_hash, path, body, error, attempts) from error

    def resend(self, unknown: OrderOutcomeUnknown) -> dict[str, Any]:
        """Send the signed body of an order (or replace) whose outcome was unknown again: its answer, or the
        order placed before (the exchange places a signed order at most once); `OrderOutcomeUnknown` again if
        the outcome is still unknown after the resends."""
        return self._send_signed_order(unknown.path, unknown.order_hash, unknown.body, after_unknown=True)

    def resend_batch(self, unknown: OrderOutcomeUnknown) -> list[dict[str, Any] | HdexClientError]:
        """Send a batch (`place_orders`) whose outcome was unknown again, as signed: its orders' outcomes as
        `place_orders` answers them (an order placed before is read back)."""
        return self._send_batch(unknown.order_hash, unknown.body, after_unknown=True)

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            with self._signing:  # checked again: another thread may have built it meanwhile
                if self._signer is None:
                    if self._key is None:
                        raise ValueError("this client has no private key: it can only read")
                    self._signer = Signer(self._key, self._domain())
        return self._signer

    def _domain(self) -> Domain:
        """The exchange's EIP-712 domain as it is now (`GET /v1/eip712`)."""
        return Signer.domain_from_json(self._call("GET", "/v1/eip712"))

    def _clocked_signer(self) -> Signer:
        """The signer, its copy of the exchange's clock read again when stale (kept as it is if that read fails:
        a cancel must not wait on it)."""
        signer = self.signer
        if signer.clock_stale:
            with contextlib.suppress(HdexClientError):
                sent = time.time_ns()
                server_ms = int(self.server_time()["serverTime"])
                signer.set_clock(server_ms, sent, time.time_ns())
        return signer

    @property
    def address(self) -> str:
        return self.signer.address

    def next_nonce(self, address: str | None = None) -> int:
        """The nonce the wallet's next order should carry (`GET /v1/nonce`)."""
        return int(self._call("GET", "/v1/nonce", params={"maker": address or self.address})["nonce"])

    def _order_signer(self) -> Signer:
        """The signer, numbering orders from the exchange's next nonce for this wallet (asked once)."""
        signer = self._clocked_signer()
        with self._numbering:
            if not signer.numbering_orders:
                signer.number_orders_from(self.next_nonce())
        return signer

    def _state_read_again(self, refusal: HdexClientError, options: Mapping[str, Any], market: str | None) -> bool:
        """Read again the client state a definite refusal of a first send says may be stale (`stale_state`; an
        order's when `market` is given); whether a request signed anew may now be taken. Raises the refusal if
        that read fails."""
        stale = stale_state(refusal, options, order=market is not None)
        try:
            if stale == "nonce":
                signer = self.signer
                with self._numbering:  # never back: continue from the higher of the two
                    signer.number_orders_from(self.next_nonce())
                return True
            if stale == "domain":
                signer, domain = self.signer, self._domain()
                changed = domain.separator != signer.domain.separator
                signer.domain = domain
                return changed
            if stale == "markets" and market is not None:
                before = self.markets.get(market)
                return signs_again_after_reload(refusal, options, before, self.load_markets().get(market))
        except HdexClientError as error:
            raise refusal from error
        return False

    def load_markets(self) -> dict[str, ClientMarket]:
        """Every market by name (kept in `self.markets`)."""
        self.markets = {m["name"]: ClientMarket.from_json(m) for m in self._call("GET", "/v1/markets")["markets"]}
        return self.markets

    def market(self, name: str) -> ClientMarket:
        """A market (`GET /v1/markets`, read once and again after a refusal that says it changed)."""
        if name not in self.markets:
            self.load_markets()
        return market_named(self.markets, name)

    def place_order(self, market: str, side: str, amount: int, price: int, **options: Any) -> dict[str, Any]:
        """Sign and place an order (options: kind, post_only, trigger_price, time_in_force, expiry, nonce,
        max_fee_rate, client_order_id, accept_operator_trigger: see `Signer.order_body`)."""

        def sign() -> Signed:
            return self._order_signer().order_body(self.market(market), side, amount, price, **options)

        def resign(refusal: HdexClientError) -> Signed | None:
            return sign() if self._state_read_again(refusal, options, market) else None

        return self._send_signed_order(ORDERS_PATH, *sign(), resign=resign)

    def place_orders(self, orders: list[Mapping[str, Any]]) -> list[dict[str, Any] | HdexClientError]:
        """Sign and place up to 20 orders in one request (`POST /v1/orders/batch`), each a mapping of `place_order`'s
        arguments: `market`, `side`, `amount`, `price` and its options (`{"market": "WETH-USDC", "side": "buy",
        "amount": units, "price": price_units, "post_only": True}`). One outcome per order, in the same order: the
        order as placed, or the HdexClientError that refused it, returned rather than raised (a refusal refuses no
        other order). A batch whose outcome is unknown is sent again as signed, as an order is (after the resends,
        OrderOutcomeUnknown, whose `order_hash` is the orders' hashes joined by commas: `resend_batch` sends it
        again), and so is one in whose answer an order's outcome is unknown (504 ENGINE_TIMEOUT). A refusal of the
        copy of an order an earlier send placed is read back, and answered as placed (`_batch_outcome`)."""
        signer, signed = self._order_signer(), []
        for order in orders:
            market, side, amount, price, options = batch_order(order)
            signed.append(signer.order_body(self.market(market), side, amount, price, **options))
        hashes = [order_hash for order_hash, _body in signed]
        body = {"orders": [order_body for _hash, order_body in signed]}
        return self._send_batch(",".join(hashes), body)

    def _send_batch(
        self, hashes: str, body: dict[str, Any], after_unknown: bool = False
    ) -> list[dict[str, Any] | HdexClientError]:
        """Send a signed batch (its orders' `hashes`, joined by commas) as `_send_signed_order` sends an order, and
        again while an order's outcome in its answer is unknown (504 ENGINE_TIMEOUT, a 503 the engine's stream
        gave it: it may stand), up to `resends` times: each order is placed at most once, and one an earlier send
        placed is read back. After the resends, an order still unknown is answered with its error."""
        resent = 0
        while True:
            try:
                answer = self._call("POST", BATCH_PATH, json=body)
            except HdexClientError as error:
                batch_send_failed(error, hashes, body, after_unknown, resent, self.resends)
                after_unknown, resent = True, resent + 1
                time.sleep(resend_delay(resent, error, self.resend_backoff_s))
                continue
            outcomes = [
                self._batch_outcome(order_hash, result, after_unknown)
                for order_hash, result in zip(hashes.split(","), answer["results"], strict=True)
            ]
            unknown = [o for o in outcomes if isinstance(o, HdexClientError) and outcome_unknown(o, False)]
            if not unknown or resent == self.resends:
                return outcomes
            after_unknown, resent = True, resent + 1
            time.sleep(resend_delay(resent, unknown[0], self.resend_backoff_s))

    def _batch_outcome(
        self, order_hash: str, result: dict[str, Any], after_unknown: bool
    ) -> dict[str, Any] | HdexClientError:
        """One order's outcome in a batch's answer (`batch_outcome`). A refusal that may be of the copy of an order an
        earlier send placed (DUPLICATE_ORDER; after a send whose outcome was unknown, any definite refusal, as for
        one order) is read back: the order, if it is there; else the refusal (the read's error if it failed)."""
        outcome = batch_outcome(result)
        if not isinstance(outcome, HdexClientError) or not read_back_refusal(outcome, after_unknown):
            return outcome
        try:
            return self.order(order_hash)
        except HdexClientError as error:
            return outcome if error.code in NOT_THERE else error

    def _cancel(self, what: str, method: str, path: str, sign: Callable[[], dict[str, Any]]) -> Any:
        """Send a signed cancel (`sign()`: its body, signed again for each send: the same for one order's cancel, a
        new timestamp for a bulk one) until its outcome is known (see `cancel_again`); None when a resend found
        the order no longer open. A first send refused over a stale domain is signed anew once."""
        attempts, domain_read = 0, False
        while True:
            attempts += 1
            try:
                return self._call(method, path, json=sign())
            except HdexClientError as error:
                if attempts == 1 and not domain_read and first_send_refused(error, False):
                    domain_read = True
                    if self._state_read_again(error, {}, None):
                        attempts = 0
                        continue
                if not cancel_again(error, what, attempts, self.resends):
                    return None
                time.sleep(resend_delay(attempts, error, self.resend_backoff_s))

    def cancel_order(self, order_hash: str) -> dict[str, Any]:
        """Cancel one open order; returns it. Sent again while its outcome is unknown; `CancelOutcomeUnknown` if
        it stays so."""
        path = f"/v1/orders/{order_hash}"
        result = self._cancel(
            f"the cancel of {order_hash}", "DELETE", path, lambda: self.signer.cancel_body(order_hash)
        )
        return self.order(order_hash) if result is None else dict(result)

    def replace_order(
        self, order_hash: str, market: str, side: str, amount: int, price: int, **options: Any
    ) -> dict[str, Any]:
        """Cancel `order_hash` and place a new order in one step (its funds go to the new order);
        returns {"cancelled", "order"}. Options as for `place_order`; resent as `place_order` is."""

        def sign() -> Signed:
            signer = self._order_signer()
            new_hash, order_body = signer.order_body(self.market(market), side, amount, price, **options)
            return new_hash, signer.replace_body(order_hash, order_body)

        def resign(refusal: HdexClientError) -> Signed | None:
            return sign() if self._state_read_again(refusal, options, market) else None

        return self._send_signed_order(REPLACE_PATH, *sign(), resign=resign)

    def cancel_after(self, timeout_ms: int, market: str | None = None) -> dict[str, Any]:
        """Dead-man switch: unless called again within `timeout_ms`, cancel every open order (in
        `market`, or all); 0 turns it off. Returns {"deadline", ...}. Sent again, newly stamped, while its
        outcome is unknown."""

        def sign() -> dict[str, Any]:
            return self._clocked_signer().cancel_after_body(timeout_ms, market)

        result: dict[str, Any] = self._cancel("the cancel-after", "POST", "/v1/orders/cancel-after", sign)
        return result

    def cancel_all(self, market: str | None = None) -> list[str]:
        """Cancel every open order of this wallet (in `market`, or all); returns their hashes. Sent again, newly
        stamped, while its outcome is unknown: the hashes are then those the answered send cancelled (an earlier
        send may have cancelled the rest). `CancelOutcomeUnknown` if it stays unknown; `OrdersKeptOpen` (with
        `cancelled` and `kept`) when a halted market kept some open (one named as `market` refuses: MARKET_HALTED)."""

        def sign() -> dict[str, Any]:
            return self._clocked_signer().cancel_all_body(market)

        return all_cancelled(self._cancel("the bulk cancel", "POST", "/v1/orders/cancel", sign))

    def order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/orders/{order_hash}")
        return result

    def open_orders(self, market: str | None = None) -> list[dict[str, Any]]:
        """Every open order of the wallet (in `market`), newest first: all pages (a wallet may hold up to the
        exchange's HDEX_MAX_OPEN_ORDERS, 1,000 by default)."""
        orders: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self._read(open_orders_query(self.address, market, cursor))
            orders.extend(page["orders"])
            if (cursor := page.get("next")) is None:
                return orders

    def fills_page(self, market: str | None = None, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
        """A page of the wallet's fills (in `market`), newest first: {"fills": [...] (at most PAGE), "next":
        the cursor of the following page, or None}."""
        page: dict[str, Any] = self._read(fills_query(self.address, market, limit, cursor))
        return page

    def fills(self, market: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The wallet's newest `limit` fills (in `market`), newest first, read page by page."""
        fills: list[dict[str, Any]] = []
        cursor = None
        while len(fills) < limit:
            page = self.fills_page(market, limit - len(fills), cursor)
            fills.extend(page["fills"])
            if (cursor := page.get("next")) is None:
                break
        return fills

    def balances(self, address: str | None = None) -> dict[str, dict[str, Any]]:
        """token -> {balance, available, reserved, frozen, pendingDeposits, pendingWithdrawals} as ints,
        with the token's `symbol` and `decimals` (None for a token no market lists)."""
        return balances_by_token(self._call("GET", f"/v1/accounts/{address or self.address}/balances"))

    def book(self, market: str, depth: int = 50) -> dict[str, Any]:
        book: dict[str, Any] = self._read(book_query(market, depth))
        return book

    def ticker(self, market: str) -> dict[str, Any]:
        ticker: dict[str, Any] = self._read(ticker_query(market))
        return ticker

    def trades(self, market: str, limit: int = 100) -> list[dict[str, Any]]:
        """The market's newest `limit` trades, newest first, read page by page (the API answers at most PAGE)."""
        trades: list[dict[str, Any]] = []
        cursor = None
        while len(trades) < limit:
            page = self._read(trades_query(market, limit - len(trades), cursor))
            trades.extend(page["trades"])
            if (cursor := page.get("next")) is None:
                break
        return trades

    def server_time(self) -> dict[str, Any]:
        """`serverTime` (ms) and the chain's latest `blockNumber` and `blockTimestamp` (null if the node is down)."""
        result: dict[str, Any] = self._call("GET", "/v1/time")
        return result

    def fees(self, address: str | None = None) -> dict[str, Any]:
        """Maker/taker rates per market and the withdrawal fee rate, in millionths (`feeRateScale`)."""
        result: dict[str, Any] = self._call("GET", f"/v1/accounts/{address or self.address}/fees")
        return result

    def deposits(self, limit: int = 100, cursor: str | None = None, address: str | None = None) -> dict[str, Any]:
        """A page of deposits, newest first: {"deposits": [...], "next": cursor or None}."""
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        result: dict[str, Any] = self._call("GET", f"/v1/accounts/{address or self.address}/deposits", params=params)
        return result

    def withdrawals(self, limit: int = 100, cursor: str | None = None, address: str | None = None) -> dict[str, Any]:
        """A page of withdrawal requests, newest first: {"withdrawals": [...], "next": cursor or None}."""
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        path = f"/v1/accounts/{address or self.address}/withdrawals"
        result: dict[str, Any] = self._call("GET", path, params=params)
        return result

    def deposit(self, token: str, amount: int, timeout: float = 120.0) -> str:
        """Send `amount` of `token` (zero address: ETH) into the Exchange vault, signed with this client's
        key through `rpc_url`; returns the mined deposit transaction's hash (see `wait_for_deposit`). The
        Exchange's address and chain are read from the API each time (a redeployed Exchange has a new address); a
        node on another chain is refused before anything is sent (`WrongChain`)."""
        if self.rpc_url is None or self._key is None:
            raise ValueError("a deposit needs the client's private key and an rpc_url")
        return deposit_onchain(self.rpc_url, self._key, self._domain(), token, amount, timeout)

    def wait_for_deposit(self, tx_hash: str, timeout: float = 120.0, poll_s: float = 1.0) -> dict[str, Any]:
        """Poll until the indexer has credited the deposit of `tx_hash`; raises `WaitTimeout` after `timeout` s."""
        return _poll(lambda: credited(self.deposits(), tx_hash), timeout, poll_s, f"deposit {tx_hash} credited")

    def withdraw(
        self,
        token: str,
        amount: int,
        *,
        recipient: str | None = None,
        max_fee: int | None = None,
        travel_rule: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Sign a withdrawal of `amount` of `token` and request it (202: status `accepted`). `max_fee`
        defaults to the exchange's current withdrawal fee; options: nonce, expiry. `travel_rule`: the IVMS101
        originator and beneficiary, required from the travel-rule threshold (`travel_rule_threshold`). Left
        without a clear answer, the same signed request is sent again, as an order is (see the class docs): a new
        signature would be a second withdrawal."""
        fee = withdrawal_fee(amount, self.fees()) if max_fee is None else max_fee

        def sign() -> Signed:
            signer = self.signer
            return signer.withdrawal_body(token, amount, fee, recipient=recipient, travel_rule=travel_rule, **options)

        def resign(refusal: HdexClientError) -> Signed | None:
            return sign() if self._state_read_again(refusal, options, None) else None

        return self._send_signed_order(WITHDRAWALS_PATH, *sign(), resign=resign)

    def withdrawal_quote(self, token: str | None = None, amount: int | None = None) -> dict[str, Any]:
        """The minimum withdrawal and the travel-rule threshold in the reference token and, given `token` and
        `amount`, that withdrawal's value, whether it is below the minimum and whether it needs `travel_rule`:
        {"reference", "value", "minimum", "belowMinimum", "travelRuleThreshold", "travelRuleRequired"}."""
        params = {} if token is None or amount is None else {"token": token, "amount": str(amount)}
        result: dict[str, Any] = self._call("GET", "/v1/withdrawals/quote", params=params)
        return result

    def withdrawal(self, withdrawal_hash: str) -> dict[str, Any]:
        """A withdrawal request: accepted, relaying, relayed, completed or failed."""
        result: dict[str, Any] = self._call("GET", f"/v1/withdrawals/{withdrawal_hash}")
        return result

    def wait_for_withdrawal(self, withdrawal_hash: str, timeout: float = 300.0, poll_s: float = 1.0) -> dict[str, Any]:
        """Poll until the withdrawal is final (completed or failed) and return it; `WaitTimeout` after `timeout` s."""

        def final() -> dict[str, Any] | None:
            current = self.withdrawal(withdrawal_hash)
            return current if current["status"] in WITHDRAWAL_FINAL else None

        return _poll(final, timeout, poll_s, f"withdrawal {withdrawal_hash} final")


def _poll(check: Callable[[], dict[str, Any] | None], timeout: float, poll_s: float, what: str) -> dict[str, Any]:
    """`check()` every `poll_s` until it finds something; a transient failure (no answer, a 5xx, a 429) is read
    again too, until the deadline: `WaitTimeout` then (from the last failure, if the last read failed)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if (found := check()) is not None:
                return found
            failure = None
        except HdexClientError as error:
            if not transient(error):
                raise
            failure = error
        if time.monotonic() >= deadline:
            raise WaitTimeout(f"no {what} within {timeout} s") from failure
        time.sleep(poll_delay(poll_s, failure))
