"""Every bad order gets its own error code and changes nothing: tables, ledger, holds and engine."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from backend.api.routes.orders import ORDER_ENTRY_MAX_BODY_BYTES
from backend.engine import MarketState
from backend.signing import Domain, order_digest
from backend.trading.store.markets import set_market_state

from .exchange_fixtures import (
    CHAIN_ID,
    EXCHANGE,
    LOT,
    MARKET,
    PRICE,
    QTY,
    TICK,
    Exchange,
    record_nonce_floor,
    wallet,
)


def assert_rejected(exchange: Exchange, response: Any, status: int, code: str, before: dict[str, Any]) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert exchange.state() == before


def test_a_signature_that_does_not_parse_is_invalid_signature(exchange: Exchange) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order())
    body["signature"] = body["signature"][:-2] + "05"  # v = 5
    assert_rejected(exchange, exchange.client.post("/v1/orders", json=body), 401, "INVALID_SIGNATURE", before)


def test_a_high_s_signature_is_invalid_even_though_it_recovers(exchange: Exchange) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order())
    raw = bytes.fromhex(body["signature"][2:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (n - int.from_bytes(raw[32:64], "big")).to_bytes(32, "big")
    body["signature"] = "0x" + (raw[:32] + high_s + bytes([55 - raw[64]])).hex()
    assert_rejected(exchange, exchange.client.post("/v1/orders", json=body), 401, "INVALID_SIGNATURE", before)


def test_an_order_signed_by_someone_else_than_its_maker_is_refused(exchange: Exchange) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order(5), key_index=6)
    assert_rejected(exchange, exchange.client.post("/v1/orders", json=body), 401, "SIGNER_NOT_MAKER", before)


@pytest.mark.parametrize("domain", [Domain(1, EXCHANGE), Domain(CHAIN_ID, "0x" + "e2" * 20)], ids=["chain", "contract"])
def test_an_order_signed_for_another_chain_or_contract_is_refused(exchange: Exchange, domain: Domain) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order(), domain=domain)
    assert_rejected(exchange, exchange.client.post("/v1/orders", json=body), 401, "SIGNER_NOT_MAKER", before)


def test_an_expired_order_is_refused(exchange: Exchange) -> None:
    before = exchange.state()
    response = exchange.place(expiry=int(time.time()) - 1)
    assert_rejected(exchange, response, 422, "ORDER_EXPIRED", before)


def test_an_order_below_the_on_chain_nonce_floor_is_refused(exchange: Exchange) -> None:
    record_nonce_floor(exchange.container, wallet(5), 1000)
    exchange.sync()
    before = exchange.state()
    assert_rejected(exchange, exchange.place(nonce=999), 422, "NONCE_BELOW_FLOOR", before)
    assert exchange.place(nonce=1000).status_code == 201


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"limitPrice": PRICE + TICK // 2}, "PRICE_OFF_TICK"),
        ({"baseAmount": QTY + LOT // 2}, "QUANTITY_OFF_LOT"),
        ({"baseAmount": LOT, "limitPrice": TICK}, "BELOW_MIN_NOTIONAL"),
        ({"flags": 32}, "UNKNOWN_FLAGS"),
        ({"triggerPrice": PRICE}, "INVALID_TRIGGER_PRICE"),
        ({"maxFeeRate": 1_999}, "MAX_FEE_TOO_LOW"),
        ({"baseAmount": 1_000 * QTY}, "INSUFFICIENT_BALANCE"),
        ({"baseToken": "0x" + "0c" * 20}, "UNKNOWN_MARKET"),
    ],
)
def test_an_order_breaking_a_market_rule_gets_that_rules_code(
    sqlite_exchange: Exchange, fields: dict[str, Any], code: str
) -> None:
    before = sqlite_exchange.state()
    response = sqlite_exchange.place(**fields)
    assert response.status_code in (404, 422)
    assert_rejected(sqlite_exchange, response, response.status_code, code, before)


def test_an_order_taking_liquidity_outside_the_price_band_around_the_reference_is_refused(exchange: Exchange) -> None:
    assert exchange.place(5, side=0).status_code == 201
    assert exchange.place(6, side=1).json()["status"] == "filled"
    assert exchange.place(6, side=1, limitPrice=PRICE * 2).status_code == 201  # a maker may rest outside the band
    before = exchange.state()
    assert_rejected(exchange, exchange.place(5, limitPrice=PRICE * 2), 422, "PRICE_OUTSIDE_BAND", before)
    assert exchange.place(5, limitPrice=PRICE * 11 // 10).status_code == 201


def test_the_same_order_twice_is_a_duplicate(exchange: Exchange) -> None:
    body = exchange.signed(exchange.order())
    assert exchange.client.post("/v1/orders", json=body).status_code == 201
    before = exchange.state()
    assert_rejected(exchange, exchange.client.post("/v1/orders", json=body), 409, "DUPLICATE_ORDER", before)


def test_a_halted_market_refuses_orders_until_it_resumes(exchange: Exchange) -> None:
    for state in (MarketState.HALTED, MarketState.OPEN):
        with exchange.container.uow() as uow:
            set_market_state(uow.session, MARKET, state)
            uow.commit()
        exchange.sync()
        if state is MarketState.HALTED:
            before = exchange.state()
            assert_rejected(exchange, exchange.place(), 409, "MARKET_HALTED", before)
    assert exchange.place().status_code == 201


def test_a_body_that_is_not_json_is_malformed(exchange: Exchange) -> None:
    before = exchange.state()
    response = exchange.client.post("/v1/orders", content=b'{"order": ', headers={"content-type": "application/json"})
    assert_rejected(exchange, response, 400, "MALFORMED_JSON", before)


@pytest.mark.parametrize(
    ("field", "value"), [("limitPrice", str(2**256)), ("baseAmount", str(2**128)), ("nonce", str(2**64))]
)
def test_a_number_overflowing_its_solidity_type_is_out_of_range(exchange: Exchange, field: str, value: str) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order())
    body["order"][field] = value
    response = exchange.client.post("/v1/orders", json=body)
    assert_rejected(exchange, response, 422, "AMOUNT_OUT_OF_RANGE", before)
    assert response.json()["error"]["field"] == f"order.{field}"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda body: body["order"].update(maker="0x123"), "order.maker"),
        (lambda body: body["order"].update(baseAmount="1e18"), "order.baseAmount"),
        (lambda body: body["order"].update(side=2), "order.side"),
        (lambda body: body["order"].pop("expiry"), "order.expiry"),
        (lambda body: body.update(signature="0xzz"), "signature"),
        (lambda body: body.update(timeInForce="GTD"), "timeInForce"),
        (lambda body: body.update(timeInForce=["GTC"]), "timeInForce"),  # was a 500 (unhashable)
        (lambda body: body.update(timeInForce={"a": 1}), "timeInForce"),
    ],
)
def test_a_malformed_field_is_named_in_the_error(sqlite_exchange: Exchange, mutate: Any, field: str) -> None:
    before = sqlite_exchange.state()
    body = sqlite_exchange.signed(sqlite_exchange.order())
    mutate(body)
    response = sqlite_exchange.client.post("/v1/orders", json=body)
    assert_rejected(sqlite_exchange, response, 422, "INVALID_FIELD", before)
    assert response.json()["error"]["field"] == field


def test_an_oversized_body_is_refused_before_it_is_read(exchange: Exchange) -> None:
    before = exchange.state()
    body = exchange.signed(exchange.order())
    body["padding"] = "x" * (exchange.container.settings.max_body_bytes + 1)
    response = exchange.client.post(
        "/v1/orders", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert_rejected(exchange, response, 413, "BODY_TOO_LARGE", before)


def test_an_order_body_over_the_order_entry_limit_is_refused_below_the_general_limit(exchange: Exchange) -> None:
    """Order entry takes 16 KiB, as an API replica does (which keeps each order in Redis until answered)."""
    before = exchange.state()
    body = exchange.signed(exchange.order())
    body["padding"] = "x" * ORDER_ENTRY_MAX_BODY_BYTES
    assert len(json.dumps(body)) < exchange.container.settings.max_body_bytes
    response = exchange.client.post(
        "/v1/orders", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert_rejected(exchange, response, 413, "BODY_TOO_LARGE", before)
    assert response.json()["error"]["message"] == f"request bodies are limited to {ORDER_ENTRY_MAX_BODY_BYTES} bytes"


def test_an_accepted_orders_id_is_its_eip712_digest_under_the_servers_domain(exchange: Exchange) -> None:
    order = exchange.order()
    response = exchange.client.post("/v1/orders", json=exchange.signed(order))
    assert response.status_code == 201
    assert response.json()["hash"] == "0x" + order_digest(exchange.domain, order).hex()
    assert response.json()["order"]["baseAmount"] == str(order.baseAmount)


@pytest.mark.parametrize("path", ["/v1/orders", "/v1/staff/auth/login"])  # read by hand; parsed by a model
def test_an_oversized_body_without_a_length_is_refused_as_too_large(sqlite_exchange: Exchange, path: str) -> None:
    """Chunked, it is cut while read; a route whose body a model parses turned that into 400 "error parsing the
    body" instead of saying what was wrong."""
    before = sqlite_exchange.state()
    limit = sqlite_exchange.container.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"email": "'
        for _ in range(limit // 1_000 + 1):
            yield b"x" * 1_000
        yield b'"}'

    response = sqlite_exchange.client.post(path, content=chunks(), headers={"content-type": "application/json"})
    assert_rejected(sqlite_exchange, response, 413, "BODY_TOO_LARGE", before)
