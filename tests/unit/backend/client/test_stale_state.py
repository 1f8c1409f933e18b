"""What the client keeps (the next nonce, the EIP-712 domain, the markets, the signer itself) is read again when a
definite refusal says it went stale, and an order is signed anew only where that alone can change the answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from backend.client import HdexClientError
from backend.client.core import Signer
from backend.signing import Domain

from .fake_exchange import FakeExchange, async_client, error, sync_client

BUY = ("WETH-USDC", "buy", 10**18, 3 * 10**9)


def nonces(exchange: FakeExchange) -> list[int]:
    return [int(body["order"]["nonce"]) for body in exchange.sent("POST", "/v1/orders")]


def placing_above(exchange: FakeExchange, floor: int) -> None:
    def place(request: httpx.Request) -> httpx.Response:
        order = json.loads(request.content)["order"]
        return error(422, "NONCE_BELOW_FLOOR") if int(order["nonce"]) < floor else httpx.Response(201, json=order)

    exchange.writes[("POST", "/v1/orders")] = place


@pytest.mark.parametrize("code", ["NONCE_BELOW_FLOOR", "NONCE_USED"])
def test_an_order_refused_for_its_nonce_is_signed_once_more_from_the_exchanges_next_nonce(code: str) -> None:
    exchange = FakeExchange()
    exchange.next_nonce = 5
    client = sync_client(exchange)
    client.place_order(*BUY)  # numbers from 5
    exchange.next_nonce = 1_000  # the floor was raised on-chain, or another tool used nonces ahead
    answers = iter([error(422 if code == "NONCE_BELOW_FLOOR" else 409, code), httpx.Response(201, json={})])
    exchange.writes[("POST", "/v1/orders")] = lambda request: next(answers)
    client.place_order(*BUY)
    placing_above(exchange, 1_000)
    client.place_order(*BUY)
    assert nonces(exchange) == [5, 6, 1_000, 1_001]


def test_a_nonce_the_caller_chose_is_not_replaced() -> None:
    exchange = FakeExchange()
    placing_above(exchange, 1_000)
    with pytest.raises(HdexClientError) as refused:
        sync_client(exchange).place_order(*BUY, nonce=7)
    assert refused.value.code == "NONCE_BELOW_FLOOR" and nonces(exchange) == [7]


def test_a_nonce_refusal_after_an_unknown_send_is_read_back_never_signed_anew() -> None:
    exchange = FakeExchange()
    answers = iter([httpx.Response(504, json={"error": {"code": "ENGINE_TIMEOUT", "message": "m"}}),
                    error(409, "NONCE_USED")])  # fmt: skip
    exchange.writes[("POST", "/v1/orders")] = lambda request: next(answers)
    exchange.writes[("GET", "/v1/orders")] = lambda request: httpx.Response(200, json={"status": "filled"})
    assert sync_client(exchange).place_order(*BUY) == {"status": "filled"}
    assert nonces(exchange) == [1, 1]


def test_a_counter_resynced_never_goes_back_below_nonces_it_gave() -> None:
    signer = Signer("0x" + "11" * 32, Domain(31337, "0x" + "e1" * 20))
    signer.number_orders_from(10)
    signer.number_orders_from(4)
    assert signer._next_nonce() == 10


def test_an_order_refused_as_not_the_makers_after_a_redeployment_is_signed_for_the_new_exchange() -> None:
    exchange = FakeExchange()
    client = sync_client(exchange)
    client.place_order(*BUY)
    exchange.exchange = "0x" + "e2" * 20  # redeployed

    def place(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={}) if len(exchange.sent("POST", "/v1/orders")) > 2 else error(
            401, "SIGNER_NOT_MAKER")  # fmt: skip

    exchange.writes[("POST", "/v1/orders")] = place
    client.place_order(*BUY)
    assert client.signer.domain.verifying_contract.lower() == exchange.exchange
    assert len(exchange.sent("POST", "/v1/orders")) == 3


def test_a_signature_refusal_with_the_same_domain_is_raised_without_a_second_order() -> None:
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders")] = lambda request: error(401, "INVALID_SIGNATURE")
    with pytest.raises(HdexClientError, match="INVALID_SIGNATURE"):
        sync_client(exchange).place_order(*BUY)
    assert len(exchange.sent("POST", "/v1/orders")) == 1


def test_a_deposit_goes_to_the_exchange_the_api_names_now(monkeypatch: pytest.MonkeyPatch) -> None:
    exchange = FakeExchange()
    client = sync_client(exchange)
    client.rpc_url = "http://chain.test"
    sent_to: list[str] = []
    monkeypatch.setattr(
        "backend.client.sync.deposit_onchain",
        lambda rpc, key, domain, *rest: sent_to.append(domain.verifying_contract) or "0x",
    )
    client.place_order(*BUY)
    exchange.exchange = "0x" + "e2" * 20
    client.deposit("0x" + "0b" * 20, 10**6)
    assert sent_to == [exchange.exchange]


def test_a_fee_rise_reloads_the_markets_and_signs_the_order_once_more_with_the_new_max_fee() -> None:
    exchange = FakeExchange()
    client = sync_client(exchange)
    client.place_order(*BUY)
    exchange.markets[0]["takerFeeRate"] = 3_000

    def place(request: httpx.Request) -> httpx.Response:
        fee = int(json.loads(request.content)["order"]["maxFeeRate"])
        return httpx.Response(201, json={}) if fee >= 3_000 else error(422, "MAX_FEE_TOO_LOW")

    exchange.writes[("POST", "/v1/orders")] = place
    client.place_order(*BUY)
    fees = [int(body["order"]["maxFeeRate"]) for body in exchange.sent("POST", "/v1/orders")]
    assert fees == [2_000, 2_000, 3_000]


def test_a_tick_change_reloads_the_markets_but_is_the_callers_to_fix() -> None:
    exchange = FakeExchange()
    client = sync_client(exchange)
    client.load_markets()
    exchange.markets[0]["tickSize"] = "1000000"
    exchange.writes[("POST", "/v1/orders")] = lambda request: error(422, "PRICE_OFF_TICK")
    with pytest.raises(HdexClientError, match="PRICE_OFF_TICK"):
        client.place_order("WETH-USDC", "buy", 10**18, 3 * 10**9 + 10_000)
    assert client.markets["WETH-USDC"].tick_size == 1_000_000 and len(exchange.sent("POST", "/v1/orders")) == 1


def test_concurrent_first_orders_of_the_async_client_build_one_signer_and_sign_distinct_nonces() -> None:
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders")] = lambda request: httpx.Response(201, json={})

    async def scenario() -> list[Any]:
        async with async_client(exchange) as client:
            client.markets = {}
            return await asyncio.gather(*(client.place_order(*BUY) for _ in range(3)))

    asyncio.run(scenario())
    assert sorted(nonces(exchange)) == [1, 2, 3]
    assert sum(r.url.path == "/v1/eip712" for r in exchange.requests) == 1


def test_the_async_client_resyncs_its_nonce_after_a_floor_refusal() -> None:
    exchange = FakeExchange()
    placing_above(exchange, 50)

    async def scenario() -> None:
        async with async_client(exchange) as client:
            await client.place_order(*BUY, nonce=60)
            exchange.next_nonce = 50
            await client.place_order(*BUY)  # numbered from 1 at first: refused, then from 50

    asyncio.run(scenario())
    assert nonces(exchange)[1:] == [1, 50]
