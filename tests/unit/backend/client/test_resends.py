"""A signed order whose outcome is unknown (no answer, a 5xx) is sent again exactly as signed, never signed anew:
the exchange places a signed order at most once, while a new signature (a new nonce) would be a second order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient, HdexClientError, OrderOutcomeUnknown, ReplacePartlyFailed
from backend.client.core import ClientMarket, Signer
from backend.settings import Settings
from backend.signing import Domain

DOMAIN = Domain(31337, "0x" + "e1" * 20)
MARKET = ClientMarket(
    "WETH-USDC", "0x" + "0a" * 20, "0x" + "0b" * 20, 18, 6, 10**4, 10**15, 10**7, 1_000, 2_000, "open"
)
OLD_HASH = "0x" + "01" * 32
Answer = httpx.Response | Exception


def error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "m"}})


class FakeExchange:
    """Answers each POST with the next of `answers` (a response, or an exception: no answer) and records it;
    GET /v1/orders/{hash} and /v1/withdrawals/{hash} answer from `orders`."""

    def __init__(self, answers: list[Answer], orders: dict[str, dict[str, Any]] | None = None) -> None:
        self.answers: Iterator[Answer] = iter(answers)
        self.orders = orders or {}
        self.posted: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            kind, _, found_hash = request.url.path.removeprefix("/v1/").partition("/")
            found = self.orders.get(found_hash)
            missing = "ORDER_NOT_FOUND" if kind == "orders" else "NOT_FOUND"
            return httpx.Response(200, json=found) if found else error(404, missing)
        self.posted.append(json.loads(request.content))
        answer = next(self.answers)
        if isinstance(answer, Exception):
            raise answer
        return answer


def sync_client(exchange: Callable[[httpx.Request], httpx.Response], resends: int = 3) -> HdexClient:
    client = HdexClient("http://hdex.test", DEV_KEYS[5], resends=resends, resend_backoff_s=0)
    client._http = httpx.Client(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    client._signer = Signer(DEV_KEYS[5], DOMAIN)
    client._signer.number_orders_from(1)
    client.markets = {MARKET.name: MARKET}
    return client


def test_an_order_without_an_answer_is_resent_as_signed_until_the_exchange_answers() -> None:
    exchange = FakeExchange([
        httpx.ReadTimeout("no answer"),
        error(504, "ENGINE_TIMEOUT"),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(200, json={"hash": "0xabc", "status": "open"}),  # the replica's answer to a copy
    ])  # fmt: skip
    assert sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9)["hash"] == "0xabc"
    assert len(exchange.posted) == 4
    assert all(body == exchange.posted[0] for body in exchange.posted)  # one signature, one nonce


def test_an_order_still_unknown_after_its_resends_raises_with_its_hash_and_can_be_resent_later() -> None:
    exchange = FakeExchange([httpx.ConnectError("reset")] * 3 + [httpx.Response(201, json={"status": "open"})])
    client = sync_client(exchange, resends=2)
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        client.place_order(MARKET.name, "buy", 10**18, 3 * 10**9)
    assert isinstance(unknown.value, HdexClientError) and unknown.value.code == "ORDER_OUTCOME_UNKNOWN"
    assert unknown.value.last.code == "NETWORK" and unknown.value.attempts == 3
    assert unknown.value.body == exchange.posted[0] and len(exchange.posted) == 3
    expiry = int(exchange.posted[0]["order"]["expiry"])
    signed_hash, _ = Signer(DEV_KEYS[5], DOMAIN).order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=1, expiry=expiry)
    assert unknown.value.order_hash == signed_hash
    assert client.resend(unknown.value) == {"status": "open"}
    assert exchange.posted[-1] == exchange.posted[0]


def test_a_resend_refused_as_a_copy_answers_with_the_order_the_first_send_placed() -> None:
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(409, "DUPLICATE_ORDER")])  # an engine's own door
    order_hash, _ = Signer(DEV_KEYS[5], DOMAIN).order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=1, expiry=2**40)
    exchange.orders = {order_hash: {"hash": order_hash, "status": "filled"}}
    order = sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9, expiry=2**40)
    assert order == {"hash": order_hash, "status": "filled"} and len(exchange.posted) == 2


@pytest.mark.parametrize(
    "refusal", [error(422, "ORDER_EXPIRED"), error(409, "NONCE_USED")], ids=["expired", "nonce-used"]
)
def test_any_refusal_of_a_resend_after_an_unknown_send_reads_back_what_the_first_send_placed(
    refusal: httpx.Response,
) -> None:
    """The exchange knows a signed order's hash only until it expires: a resend after that is refused
    (ORDER_EXPIRED, or NONCE_USED as the stored order holds the nonce) although the first send placed it. Raised as
    a refusal, a bot would sign again and trade twice."""
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), refusal])
    order_hash, _ = Signer(DEV_KEYS[5], DOMAIN).order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=1, expiry=2**40)
    exchange.orders = {order_hash: {"hash": order_hash, "status": "filled"}}
    order = sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9, expiry=2**40)
    assert order == {"hash": order_hash, "status": "filled"} and len(exchange.posted) == 2


def test_a_withdrawal_refused_on_its_resend_by_a_limit_its_first_send_counted_reads_back_the_request() -> None:
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(422, "WITHDRAWAL_LIMIT_EXCEEDED")])
    request_hash, _ = Signer(DEV_KEYS[5], DOMAIN).withdrawal_body(TOKEN, 600 * 10**6, 0, nonce=7, expiry=2**40)
    exchange.orders = {request_hash: {"hash": request_hash, "status": "accepted"}}
    request = sync_client(exchange).withdraw(TOKEN, 600 * 10**6, max_fee=0, nonce=7, expiry=2**40)
    assert request == {"hash": request_hash, "status": "accepted"} and len(exchange.posted) == 2


def test_a_refused_resend_whose_order_is_not_there_raises_the_refusal() -> None:
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(422, "ORDER_EXPIRED")])  # never placed
    with pytest.raises(HdexClientError) as refused:
        sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9, expiry=2**40)
    assert refused.value.code == "ORDER_EXPIRED" and not isinstance(refused.value, OrderOutcomeUnknown)


def test_a_definite_refusal_is_not_resent() -> None:
    for refusal in (error(422, "PRICE_OFF_TICK"), error(409, "DUPLICATE_ORDER"), error(429, "RATE_LIMITED")):
        exchange = FakeExchange([refusal])
        with pytest.raises(HdexClientError) as refused:
            sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9)
        assert refused.value.code == refusal.json()["error"]["code"] and len(exchange.posted) == 1


def test_after_an_unknown_send_a_rate_limited_resend_is_still_unknown() -> None:
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(429, "RATE_LIMITED")])
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        sync_client(exchange, resends=1).place_order(MARKET.name, "buy", 10**18, 3 * 10**9)
    assert unknown.value.last.code == "RATE_LIMITED" and len(exchange.posted) == 2


def test_a_replace_resent_after_a_timeout_reads_back_what_the_first_send_did() -> None:
    exchange = FakeExchange([error(504, "ENGINE_TIMEOUT"), error(409, "ORDER_NOT_OPEN")])
    client = sync_client(exchange)
    new_hash, _ = Signer(DEV_KEYS[5], DOMAIN).order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=1, expiry=2**40)
    exchange.orders = {
        new_hash: {"hash": new_hash, "status": "open"}, OLD_HASH: {"hash": OLD_HASH, "status": "cancelled"}
    }  # fmt: skip
    moved = client.replace_order(OLD_HASH, MARKET.name, "buy", 10**18, 3 * 10**9, expiry=2**40)
    assert moved == {"cancelled": exchange.orders[OLD_HASH], "order": exchange.orders[new_hash]}
    assert exchange.posted[0] == exchange.posted[1] and exchange.posted[0]["cancel"]["orderHash"] == OLD_HASH


def test_a_replace_whose_new_order_is_not_there_after_a_resend_raises_the_resends_refusal() -> None:
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(409, "ORDER_NOT_OPEN")])  # filled meanwhile
    with pytest.raises(HdexClientError) as refused:
        sync_client(exchange).replace_order(OLD_HASH, MARKET.name, "buy", 10**18, 3 * 10**9)
    assert refused.value.code == "ORDER_NOT_OPEN" and not isinstance(refused.value, OrderOutcomeUnknown)


def async_client(exchange: Callable[[httpx.Request], httpx.Response]) -> AsyncHdexClient:
    client = AsyncHdexClient("http://hdex.test", DEV_KEYS[5], resends=1, resend_backoff_s=0)
    client._http = httpx.AsyncClient(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    client._signer = Signer(DEV_KEYS[5], DOMAIN)
    client._signer.number_orders_from(1)
    client.markets = {MARKET.name: MARKET}
    return client


def test_the_async_client_resends_the_same_signed_order_and_gives_up_with_its_hash() -> None:
    async def scenario(exchange: FakeExchange) -> dict[str, Any]:
        async with async_client(exchange) as client:
            return await client.place_order(MARKET.name, "sell", 10**18, 3 * 10**9)

    answered = FakeExchange([httpx.WriteTimeout("no answer"), httpx.Response(201, json={"status": "open"})])
    assert asyncio.run(scenario(answered)) == {"status": "open"} and answered.posted[0] == answered.posted[1]
    unanswered = FakeExchange([error(503, "ENGINE_BUSY"), error(504, "ENGINE_TIMEOUT")])
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        asyncio.run(scenario(unanswered))
    assert unknown.value.last.code == "ENGINE_TIMEOUT" and unknown.value.body == unanswered.posted[1]


TOKEN = "0x" + "0b" * 20


def test_a_withdrawal_without_an_answer_is_resent_as_signed_and_a_copy_reads_back_the_first_request() -> None:
    """A new signature would be a second withdrawal of the same funds."""
    withdrawal_hash, _ = Signer(DEV_KEYS[5], DOMAIN).withdrawal_body(TOKEN, 10**6, 0, nonce=7, expiry=2**40)
    exchange = FakeExchange([httpx.ReadTimeout("no answer"), error(409, "DUPLICATE_WITHDRAWAL")])
    exchange.orders = {withdrawal_hash: {"hash": withdrawal_hash, "status": "relaying"}}
    request = sync_client(exchange).withdraw(TOKEN, 10**6, max_fee=0, nonce=7, expiry=2**40)
    assert request == {"hash": withdrawal_hash, "status": "relaying"}
    assert len(exchange.posted) == 2 and exchange.posted[0] == exchange.posted[1]


def test_the_async_client_resends_a_withdrawal_as_signed_and_gives_up_with_its_hash() -> None:
    async def scenario(exchange: FakeExchange) -> dict[str, Any]:
        client = AsyncHdexClient("http://hdex.test", DEV_KEYS[5], resends=1, resend_backoff_s=0)
        client._http = httpx.AsyncClient(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
        client._signer = Signer(DEV_KEYS[5], DOMAIN)
        async with client:
            return await client.withdraw(TOKEN, 10**6, max_fee=0, nonce=8, expiry=2**40)

    answered = FakeExchange([error(502, "HTTP_ERROR"), httpx.Response(202, json={"status": "accepted"})])
    assert asyncio.run(scenario(answered)) == {"status": "accepted"} and answered.posted[0] == answered.posted[1]
    unanswered = FakeExchange([httpx.ConnectError("refused"), error(504, "GATEWAY_TIMEOUT")])
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        asyncio.run(scenario(unanswered))
    assert "withdrawal" in str(unknown.value) and unknown.value.path == "/v1/withdrawals"


def test_the_clients_wait_longer_than_a_replica_waits_for_the_engine() -> None:
    replica_waits = Settings.model_fields["replica_answer_timeout_s"].default
    assert HdexClient("http://hdex.test")._http.timeout.read > replica_waits
    assert AsyncHdexClient("http://hdex.test")._http.timeout.read > replica_waits


def test_open_orders_reads_every_page() -> None:
    """A wallet may hold 1,000 open orders; the first page alone (100) left a market maker's cancels short."""
    orders = [{"hash": f"0x{i:064x}", "status": "open"} for i in range(1_000, 0, -1)]

    def exchange(request: httpx.Request) -> httpx.Response:
        limit, cursor = int(request.url.params["limit"]), request.url.params.get("cursor")
        start = 0 if cursor is None else int(cursor)
        following = str(start + limit) if start + limit < len(orders) else None
        return httpx.Response(200, json={"orders": orders[start : start + limit], "next": following})

    assert sync_client(exchange).open_orders(MARKET.name) == orders


def test_a_success_answer_that_cannot_be_read_is_taken_and_read_back_never_signed_again() -> None:
    """A 201 mangled on the way (a proxy, a body cut short) placed the order: a bot told it failed would sign again."""
    order_hash, _ = Signer(DEV_KEYS[5], DOMAIN).order_body(MARKET, "buy", 10**18, 3 * 10**9, nonce=1, expiry=2**40)
    exchange = FakeExchange([httpx.Response(201, text="<html>ok</html>")], {order_hash: {"status": "open"}})
    assert sync_client(exchange).place_order(MARKET.name, "buy", 10**18, 3 * 10**9, expiry=2**40) == {"status": "open"}
    unread = FakeExchange([httpx.Response(201, text="<html>ok</html>")])  # not readable back (yet)
    with pytest.raises(OrderOutcomeUnknown):
        sync_client(unread).place_order(MARKET.name, "buy", 10**18, 3 * 10**9)
    assert len(exchange.posted) == 1 and len(unread.posted) == 1


@pytest.mark.parametrize("code", ["WITHDRAWALS_PAUSED", "SCREENING_UNAVAILABLE"])
def test_a_503_that_refuses_a_withdrawal_for_certain_is_not_resent(code: str) -> None:
    exchange = FakeExchange([error(503, code)])
    with pytest.raises(HdexClientError) as refused:
        sync_client(exchange).withdraw(TOKEN, 10**6, max_fee=0, nonce=9, expiry=2**40)
    assert refused.value.code == code and not isinstance(refused.value, OrderOutcomeUnknown)
    assert len(exchange.posted) == 1


def test_a_replace_whose_new_order_was_refused_carries_the_cancelled_order_and_the_refusal() -> None:
    body = {"error": {"code": "REPLACE_PARTLY_FAILED", "message": "m"}, "cancelled": {"hash": OLD_HASH},
            "refused": {"code": "POST_ONLY_WOULD_CROSS", "message": "m", "field": None}}  # fmt: skip
    exchange = FakeExchange([httpx.Response(409, json=body)])
    with pytest.raises(ReplacePartlyFailed) as partly:
        sync_client(exchange).replace_order(OLD_HASH, MARKET.name, "buy", 10**18, 3 * 10**9)
    assert partly.value.cancelled == {"hash": OLD_HASH} and partly.value.refused["code"] == "POST_ONLY_WOULD_CROSS"


def batch_answer(*results: tuple[int, dict[str, Any] | None, str | None]) -> httpx.Response:
    return httpx.Response(200, json={"results": [
        {"status": status, "order": order, "error": None if code is None else {"code": code, "message": "m"}}
        for status, order, code in results
    ]})  # fmt: skip


LADDER = [{"market": MARKET.name, "side": "buy", "amount": 10**18, "price": (3_000 - n) * 10**6, "expiry": 2**40}
          for n in range(3)]  # fmt: skip


def ladder_hashes() -> list[str]:
    signer = Signer(DEV_KEYS[5], DOMAIN)
    return [signer.order_body(MARKET, "buy", 10**18, o["price"], nonce=1 + n, expiry=2**40)[0]
            for n, o in enumerate(LADDER)]  # fmt: skip


def test_a_batch_with_an_order_of_unknown_outcome_is_resent_as_signed_and_each_order_answered_once() -> None:
    first, second, _third = ladder_hashes()
    exchange = FakeExchange([
        batch_answer((201, {"hash": first}, None), (504, None, "ENGINE_TIMEOUT"), (422, None, "PRICE_OFF_TICK")),
        # the copy: the engine process's own door refuses the order placed by the first send as DUPLICATE_ORDER
        batch_answer((409, None, "DUPLICATE_ORDER"), (201, {"hash": second}, None), (422, None, "PRICE_OFF_TICK")),
    ], orders={first: {"hash": first, "status": "open"}})  # fmt: skip

    outcomes = sync_client(exchange).place_orders(LADDER)

    assert outcomes[:2] == [{"hash": first, "status": "open"}, {"hash": second}]
    assert isinstance(outcomes[2], HdexClientError) and outcomes[2].code == "PRICE_OFF_TICK"  # not there: refused
    assert len(exchange.posted) == 2 and exchange.posted[0] == exchange.posted[1]  # one signature each, one nonce
    assert [o["order"]["nonce"] for o in exchange.posted[0]["orders"]] == ["1", "2", "3"]


def test_a_batch_without_an_answer_is_resent_and_a_refused_copy_read_back() -> None:
    first, second, _third = ladder_hashes()
    exchange = FakeExchange([
        httpx.ReadTimeout("no answer"),
        batch_answer((409, None, "NONCE_USED"), (201, {"hash": second}, None), (422, None, "INSUFFICIENT_BALANCE")),
    ], orders={first: {"hash": first, "status": "filled"}})  # fmt: skip

    outcomes = sync_client(exchange).place_orders(LADDER)

    assert outcomes[:2] == [{"hash": first, "status": "filled"}, {"hash": second}]
    assert isinstance(outcomes[2], HdexClientError) and outcomes[2].code == "INSUFFICIENT_BALANCE"
    assert len(exchange.posted) == 2 and exchange.posted[0] == exchange.posted[1]


def test_an_async_batch_resent_after_an_unknown_order_answers_each_order_once() -> None:
    """Through a replica, the copy of an order placed before is answered 200 with the order."""
    first, second, third = ladder_hashes()
    exchange = FakeExchange([
        batch_answer((201, {"hash": first}, None), (504, None, "ENGINE_TIMEOUT"), (201, {"hash": third}, None)),
        batch_answer((200, {"hash": first}, None), (200, {"hash": second}, None), (200, {"hash": third}, None)),
    ])  # fmt: skip

    outcomes = asyncio.run(_place_orders_async(exchange))

    assert outcomes == [{"hash": first}, {"hash": second}, {"hash": third}]
    assert len(exchange.posted) == 2 and exchange.posted[0] == exchange.posted[1]


async def _place_orders_async(exchange: FakeExchange) -> list[dict[str, Any] | HdexClientError]:
    async with async_client(exchange) as client:
        return await client.place_orders(LADDER)


def test_a_batch_still_unknown_after_its_resends_raises_with_its_hashes_and_can_be_resent_later() -> None:
    hashes = ladder_hashes()
    placed = batch_answer(*((201, {"hash": order_hash}, None) for order_hash in hashes))
    exchange = FakeExchange([httpx.ConnectError("reset")] * 2 + [placed])
    client = sync_client(exchange, resends=1)
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        client.place_orders(LADDER)
    assert unknown.value.order_hash == ",".join(hashes) and unknown.value.attempts == 2
    assert client.resend_batch(unknown.value) == [{"hash": order_hash} for order_hash in hashes]
    assert exchange.posted == [exchange.posted[0]] * 3
