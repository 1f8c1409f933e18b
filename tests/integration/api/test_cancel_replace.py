"""`POST /v1/orders/replace`: cancel an order and place another of the same maker in one step."""

from __future__ import annotations

import time
from typing import Any

import pytest

from backend.signing import Order
from backend.trading.hosting import host
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import quote_amount

from .exchange_fixtures import PRICE, QTY, TICK, USDC, Exchange, fund, wallet
from .signed_requests import cancel_signature

POOR = 4  # a dev wallet the fixtures leave unfunded


def replace_body(exchange: Exchange, old_hash: str, new: Order, key_index: int = 5, **extra: Any) -> dict[str, Any]:
    return {
        "cancel": {"orderHash": old_hash, "signature": cancel_signature(exchange.domain, old_hash, key_index)},
        **exchange.signed(new, key_index),
        **extra,
    }


def replace(exchange: Exchange, body: dict[str, Any]) -> Any:
    return exchange.client.post("/v1/orders/replace", json=body)


def test_a_replace_hands_the_old_orders_funds_to_the_new_one(exchange: Exchange) -> None:
    fund(exchange.container, wallet(POOR), checksum(USDC), quote_amount(QTY, PRICE))  # exactly one order's hold
    old = exchange.place(POOR).json()
    refused = exchange.place(POOR)  # a second order of the same size does not fit beside it
    assert refused.json()["error"]["code"] == "INSUFFICIENT_BALANCE"

    new = exchange.order(POOR, limitPrice=PRICE + TICK, baseAmount=QTY - 10**15)
    response = replace(exchange, replace_body(exchange, old["hash"], new, POOR, clientOrderId="moved"))

    assert response.status_code == 201
    cancelled, placed = response.json()["cancelled"], response.json()["order"]
    assert (cancelled["hash"], cancelled["status"], cancelled["reason"]) == (old["hash"], "cancelled", "replaced")
    assert (placed["status"], placed["clientOrderId"], placed["order"]["nonce"]) == ("open", "moved", str(new.nonce))
    assert exchange.client.get(f"/v1/orders/{old['hash']}").json()["status"] == "cancelled"
    assert exchange.client.get(f"/v1/orders/{placed['hash']}").json()["status"] == "open"
    assert exchange.state()["reserved"][(wallet(POOR), checksum(USDC))] == quote_amount(QTY - 10**15, PRICE + TICK)


def test_a_replace_of_an_order_that_expired_meanwhile_leaves_it_expired_not_replaced(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine sweeps expired orders before the replace's cancel: the order closed because it expired, and its
    history says so, not `replaced` (the replace itself is refused and places nothing)."""
    expiry = int(time.time()) + 60
    old = exchange.place(5, expiry=expiry).json()
    monkeypatch.setattr(host, "now_ms", lambda: (expiry + 2) * 1000)  # past it, before the host's next tick
    refused = replace(exchange, replace_body(exchange, old["hash"], exchange.order(5, limitPrice=PRICE - TICK)))
    exchange.state()  # drains the host

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "ORDER_NOT_OPEN"), refused.text
    view = exchange.client.get(f"/v1/orders/{old['hash']}").json()
    assert (view["status"], view["reason"]) == ("expired", "expired")


def test_a_replace_whose_cancel_fails_places_nothing(exchange: Exchange) -> None:
    gone = exchange.place(5, limitPrice=PRICE - TICK).json()
    exchange.client.request(
        "DELETE", f"/v1/orders/{gone['hash']}", json={"signature": cancel_signature(exchange.domain, gone["hash"], 5)}
    )
    live = exchange.place(5, limitPrice=PRICE - 2 * TICK).json()
    new = exchange.order(5)
    before = exchange.state()

    not_open = replace(exchange, replace_body(exchange, gone["hash"], new))
    assert (not_open.status_code, not_open.json()["error"]["code"]) == (409, "ORDER_NOT_OPEN")
    unknown = replace(exchange, replace_body(exchange, "0x" + "ab" * 32, new))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "ORDER_NOT_FOUND")
    forged = replace_body(exchange, live["hash"], new)
    forged["cancel"]["signature"] = cancel_signature(exchange.domain, live["hash"], 5, signer_index=6)
    response = replace(exchange, forged)
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "SIGNER_NOT_MAKER",
        "cancel.signature",
    )
    assert exchange.state() == before


def test_a_replace_whose_new_order_is_refused_by_the_checks_cancels_nothing(exchange: Exchange) -> None:
    old = exchange.place(5, limitPrice=PRICE - TICK).json()
    before = exchange.state()
    cases = {
        "PRICE_OFF_TICK": replace_body(exchange, old["hash"], exchange.order(5, limitPrice=PRICE + 1)),
        "INSUFFICIENT_BALANCE": replace_body(exchange, old["hash"], exchange.order(5, baseAmount=400 * QTY)),
        "INVALID_FIELD": replace_body(exchange, old["hash"], exchange.order(5)) | {"clientOrderId": "a b"},
    }
    another_maker = replace_body(exchange, old["hash"], exchange.order(5))
    another_maker.update(exchange.signed(exchange.order(6), 6))
    cases["INVALID_FIELD order.maker"] = another_maker
    bad_signature = replace_body(exchange, old["hash"], exchange.order(5))
    bad_signature["signature"] = exchange.signed(exchange.order(5), 6)["signature"]
    cases["SIGNER_NOT_MAKER"] = bad_signature
    cases["INVALID_FIELD cancel"] = {**replace_body(exchange, old["hash"], exchange.order(5)), "cancel": "nope"}
    for expected, body in cases.items():
        response = replace(exchange, body)
        assert response.json()["error"]["code"] == expected.split()[0], (expected, response.json())
    assert replace(exchange, another_maker).json()["error"]["field"] == "order.maker"
    assert exchange.state() == before
    assert exchange.client.get(f"/v1/orders/{old['hash']}").json()["status"] == "open"


def test_a_new_order_the_engine_refuses_after_the_cancel_is_reported_with_the_cancel(exchange: Exchange) -> None:
    exchange.place(6, side=1, limitPrice=PRICE)  # the ask a post-only bid at PRICE would cross
    old = exchange.place(5, limitPrice=PRICE - TICK).json()
    crossing = exchange.order(5, limitPrice=PRICE, flags=4)  # post-only

    response = replace(exchange, replace_body(exchange, old["hash"], crossing))

    assert response.status_code == 409
    body = response.json()
    assert body["error"]["code"] == "REPLACE_PARTLY_FAILED"
    assert body["refused"]["code"] == "POST_ONLY_WOULD_CROSS"
    assert (body["cancelled"]["hash"], body["cancelled"]["status"]) == (old["hash"], "cancelled")
    assert exchange.client.get(f"/v1/orders/{old['hash']}").json()["status"] == "cancelled"
    assert exchange.state()["reserved"][(wallet(5), checksum(USDC))] == 0
