"""`POST /v1/orders/batch`: up to 20 signed orders in one request, each placed or refused on its own."""

from __future__ import annotations

from pathlib import Path

from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import quote_amount
from backend.trading.rules.orders import MAX_BATCH_ORDERS

from .exchange_fixtures import PRICE, QTY, TICK, USDC, Exchange, prepare, running, wallet

BATCH = "/v1/orders/batch"


def test_a_batch_places_its_orders_in_order_and_answers_each(exchange: Exchange) -> None:
    orders = [exchange.order(5, limitPrice=PRICE - n * TICK) for n in range(3)]
    response = exchange.client.post(BATCH, json={"orders": [exchange.signed(order) for order in orders]})

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["status"], r["error"], r["order"]["status"]) for r in results] == [(201, None, "open")] * 3
    assert [r["order"]["order"]["limitPrice"] for r in results] == [str(o.limitPrice) for o in orders]
    for result in results:  # stored: readable as any order
        assert exchange.client.get(f"/v1/orders/{result['order']['hash']}").json()["status"] == "open"


def test_a_refused_order_refuses_only_its_own_place(exchange: Exchange) -> None:
    good = exchange.signed(exchange.order(5, limitPrice=PRICE - TICK))
    forged = exchange.signed(exchange.order(5, limitPrice=PRICE - 2 * TICK), key_index=6)  # 6 signs 5's order
    broke = exchange.signed(exchange.order(4), key_index=4)  # the fixtures leave wallet 4 unfunded
    malformed = {"order": {"maker": "0x12"}, "signature": good["signature"]}
    seller = exchange.signed(exchange.order(6, side=1, limitPrice=PRICE - TICK), key_index=6)  # crosses `good`

    results = exchange.client.post(BATCH, json={"orders": [good, forged, broke, malformed, seller]}).json()["results"]

    codes = [(r["status"], (r["error"] or {}).get("code")) for r in results]
    assert codes == [
        (201, None), (401, "SIGNER_NOT_MAKER"), (422, "INSUFFICIENT_BALANCE"), (422, "INVALID_FIELD"), (201, None),
    ], codes  # fmt: skip
    assert results[3]["error"]["field"] == "order.maker"
    assert results[4]["order"]["status"] == "filled"  # placed after `good`, in the request's order
    assert exchange.client.get(f"/v1/orders/{results[0]['order']['hash']}").json()["status"] == "filled"


def test_a_batch_that_is_not_a_list_of_1_to_20_orders_places_nothing(exchange: Exchange) -> None:
    one = exchange.signed(exchange.order(5))
    before = exchange.state()
    for body in ({"orders": []}, {"orders": [one] * (MAX_BATCH_ORDERS + 1)}, {"orders": one}, [one], {"order": one}):
        response = exchange.client.post(BATCH, json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (422, "INVALID_FIELD"), body
    assert exchange.state() == before


def test_the_same_order_twice_in_a_batch_is_placed_once(exchange: Exchange) -> None:
    one = exchange.signed(exchange.order(5))
    results = exchange.client.post(BATCH, json={"orders": [one, one]}).json()["results"]
    assert [(r["status"], (r["error"] or {}).get("code")) for r in results] == [(201, None), (409, "DUPLICATE_ORDER")]
    assert exchange.state()["reserved"][(wallet(5), checksum(USDC))] == quote_amount(QTY, PRICE)  # held once


def test_each_order_counts_against_its_makers_rate_limit(database_url: str, tmp_path: Path) -> None:
    """Three orders of a wallet allowed two a minute: the third is refused RATE_LIMITED, the first two stand; the
    batch as a whole weighs 10 against the IP, so a limit of 10 a minute takes one batch and refuses the next."""
    container = prepare(database_url, tmp_path, rate_limit_address="2/minute", rate_limit_ip="10/minute")
    for exchange in running(container):
        bodies = [exchange.signed(exchange.order(5, limitPrice=PRICE - n * TICK)) for n in range(3)]
        first = exchange.client.post(BATCH, json={"orders": bodies})
        results = first.json()["results"]
        assert [(r["status"], (r["error"] or {}).get("code")) for r in results] == [
            (201, None), (201, None), (429, "RATE_LIMITED"),
        ]  # fmt: skip
        assert first.headers["X-RateLimit-Weight"] == "10"
        second = exchange.client.post(BATCH, json={"orders": bodies[2:]})
        assert (second.status_code, second.json()["error"]["code"]) == (429, "RATE_LIMITED")
