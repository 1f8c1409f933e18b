"""A refused request says what to send instead, and every malformed path id is refused the same way."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .exchange_fixtures import LOT, PRICE, QTY, TICK, Exchange, wallet
from .siwe_messages import sign_in_body


def refusal(response: Any, status: int, code: str, field: str | None) -> str:
    """The refusal's message, once its status, code and field are the expected ones."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    message: str = error["message"]
    return message


@pytest.mark.parametrize("flags", [1, 3], ids=["market", "stop-market"])
def test_a_market_order_without_a_limit_price_is_told_to_send_the_worst_price_it_accepts(
    sqlite_exchange: Exchange, flags: int
) -> None:
    before = sqlite_exchange.state()
    # a market order signs a short expiry (it is IOC); a stop-market may wait for its trigger
    response = sqlite_exchange.place(flags=flags, limitPrice=0, triggerPrice=PRICE, expiry=int(time.time()) + 30)
    message = refusal(response, 422, "INVALID_PRICE", "order.limitPrice")
    assert "a market order needs limitPrice: the worst price you accept" in message
    assert f"a multiple of the tick size {TICK}" in message
    assert sqlite_exchange.state() == before


@pytest.mark.parametrize("flags", [2, 3], ids=["stop-limit", "stop-market"])
def test_a_stop_order_without_a_trigger_price_is_told_what_the_trigger_price_is(
    sqlite_exchange: Exchange, flags: int
) -> None:
    message = refusal(
        sqlite_exchange.place(flags=flags, triggerPrice=0), 422, "INVALID_TRIGGER_PRICE", "order.triggerPrice"
    )
    assert "a stop order needs triggerPrice: the last trade price that activates it" in message


def test_a_trigger_price_on_a_limit_order_is_told_to_send_zero(sqlite_exchange: Exchange) -> None:
    message = refusal(sqlite_exchange.place(triggerPrice=PRICE), 422, "INVALID_TRIGGER_PRICE", "order.triggerPrice")
    assert "send triggerPrice 0" in message


def test_numbers_off_the_grid_are_told_the_nearest_valid_ones(sqlite_exchange: Exchange) -> None:
    off_tick = refusal(sqlite_exchange.place(limitPrice=PRICE + 1), 422, "PRICE_OFF_TICK", "order.limitPrice")
    assert f"send {PRICE} or {PRICE + TICK}" in off_tick
    off_lot = refusal(sqlite_exchange.place(baseAmount=QTY + 1), 422, "QUANTITY_OFF_LOT", "order.baseAmount")
    assert f"send {QTY} or {QTY + LOT}" in off_lot
    small = refusal(sqlite_exchange.place(baseAmount=LOT), 422, "BELOW_MIN_NOTIONAL", "order.baseAmount")
    assert "at this limitPrice send baseAmount 4000000000000000 or more" in small  # 10 USDC at 3,000: 0.004 WETH


@pytest.mark.parametrize("side", ["buy", "sell", "BUY", 2, True, 1.0, None])
def test_a_side_that_is_not_0_or_1_is_told_the_two_numbers(sqlite_exchange: Exchange, side: Any) -> None:
    body = sqlite_exchange.signed(sqlite_exchange.order())
    body["order"]["side"] = side
    response = sqlite_exchange.client.post("/v1/orders", json=body)
    assert "side is 0 (buy) or 1 (sell)" in refusal(response, 422, "INVALID_FIELD", "order.side")


@pytest.mark.parametrize("value", ["1e18", "1.5", "-1", " 1"])
def test_an_amount_that_is_not_a_whole_decimal_string_is_told_the_form(sqlite_exchange: Exchange, value: str) -> None:
    body = sqlite_exchange.signed(sqlite_exchange.order())
    body["order"]["baseAmount"] = value
    message = refusal(sqlite_exchange.client.post("/v1/orders", json=body), 422, "INVALID_FIELD", "order.baseAmount")
    assert 'a whole number as a decimal string, e.g. "1000000000000000000"' in message


def test_a_cancel_without_a_body_is_told_the_signed_cancel_it_needs(sqlite_exchange: Exchange) -> None:
    order_hash = sqlite_exchange.place().json()["hash"]
    before = sqlite_exchange.state()
    message = refusal(sqlite_exchange.client.delete(f"/v1/orders/{order_hash}"), 422, "INVALID_FIELD", None)
    assert '{"signature": "0x<65-byte hex>"}' in message
    assert "signature of Cancel(maker, orderHash)" in message
    assert sqlite_exchange.state() == before


def test_a_cancel_whose_body_is_not_json_is_told_the_signed_cancel_it_needs(sqlite_exchange: Exchange) -> None:
    order_hash = sqlite_exchange.place().json()["hash"]
    response = sqlite_exchange.client.request(
        "DELETE", f"/v1/orders/{order_hash}", content=b"{", headers={"content-type": "application/json"}
    )
    assert "Cancel(maker, orderHash)" in refusal(response, 400, "MALFORMED_JSON", None)


# One well-formed value per path parameter: a malformed id must fail on its own parameter only.
WELL_FORMED = {
    "orderHash": "0x" + "ab" * 32,
    "withdrawalHash": "0x" + "ab" * 32,
    "address": wallet(5),
    "clientOrderId": "bot-1",
    "ticketId": "1",
    "attachmentId": "1",
    "threadId": "1",
    "postId": "1",
    "slug": "depositing",
}
MALFORMED = ["ü", "nothex", "0x" + "ab" * 31 + "%20%20", "0x" + "ab" * 33]
# Of those, the ones a parameter takes: letters are a client order id; lower-case words an article's slug.
ALSO_WELL_FORMED = {"clientOrderId": {"nothex"}, "slug": {"nothex", "0x" + "ab" * 33}}


def id_routes(exchange: Exchange) -> list[tuple[str, str, list[str]]]:
    """(method, path template, path parameters) of every operation that takes an id in its path;
    a market is named, not identified, so `market` is not an id."""
    paths = exchange.client.get("/openapi.json").json()["paths"]
    routes = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            # Staff routes authenticate first (a caller without a staff session learns nothing, not
            # even which ids are well-formed); their ids are checked signed in (tests/integration/staff).
            if names and names != ["market"] and not path.startswith("/v1/staff/"):
                routes.append((method.upper(), path, names))
    return routes


def test_a_malformed_id_on_every_id_taking_route_is_invalid_field_naming_the_path_parameter(
    sqlite_exchange: Exchange,
) -> None:
    routes = id_routes(sqlite_exchange)
    assert {path for _, path, _ in routes} >= {
        "/v1/orders/{orderHash}", "/v1/withdrawals/{withdrawalHash}", "/v1/accounts/{address}/balances",
        "/v1/accounts/{address}/orders", "/v1/accounts/{address}/fills",
    }  # fmt: skip
    # Signed in, so that routes of a wallet's own (its tickets, its posts) reach their parameters' checks.
    nonce = sqlite_exchange.client.get("/v1/auth/nonce").json()["nonce"]
    assert sqlite_exchange.client.post("/v1/auth/siwe", json=sign_in_body(nonce)).status_code == 200
    before = sqlite_exchange.state()
    for method, template, names in routes:
        for name in names:
            for bad in MALFORMED:
                if bad in ALSO_WELL_FORMED.get(name, ()):
                    continue
                path = template
                for other in names:
                    path = path.replace(f"{{{other}}}", bad if other == name else WELL_FORMED[other])
                response = sqlite_exchange.client.request(method, path, json={"signature": "0x" + "11" * 65})
                assert refusal(response, 422, "INVALID_FIELD", name), (method, path)
    assert sqlite_exchange.state() == before


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/v1/orders/0x" + "AB" * 32, "ORDER_NOT_FOUND"),
        ("DELETE", "/v1/orders/0x" + "ab" * 32, "ORDER_NOT_FOUND"),
        ("GET", "/v1/withdrawals/0x" + "ab" * 32, "NOT_FOUND"),
    ],
)
def test_a_well_formed_id_that_does_not_exist_is_not_found(
    sqlite_exchange: Exchange, method: str, path: str, code: str
) -> None:
    response = sqlite_exchange.client.request(method, path, json={"signature": "0x" + "11" * 65})
    field = "orderHash" if "orders" in path else "withdrawalHash"
    refusal(response, 404, code, field)
