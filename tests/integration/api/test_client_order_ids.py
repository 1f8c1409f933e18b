"""Client order ids: optional, unsigned, unique per wallet over all its orders, queryable, echoed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .exchange_fixtures import PRICE, TICK, Exchange, prepare, running, wallet
from .signed_requests import cancel_signature


def place_with_id(exchange: Exchange, key_index: int, client_order_id: object, **fields: Any) -> Any:
    body = {**exchange.signed(exchange.order(key_index, **fields), key_index), "clientOrderId": client_order_id}
    return exchange.client.post("/v1/orders", json=body)


def order_events(ws: Any, count: int, limit: int = 20) -> list[dict[str, Any]]:
    """The next `count` order events of an account channel (balance updates come in between)."""
    events: list[dict[str, Any]] = []
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message.get("type") == "order":
            events.append(message)
            if len(events) == count:
                return events
    raise AssertionError(f"only {len(events)} order events came")


def test_an_order_keeps_its_client_order_id_and_is_found_by_it(exchange: Exchange) -> None:
    placed = place_with_id(exchange, 5, "grid-7_a").json()
    place_with_id(exchange, 5, "grid-8", limitPrice=PRICE - TICK)
    exchange.place(5, limitPrice=PRICE - 2 * TICK)  # no id at all
    assert placed["clientOrderId"] == "grid-7_a"
    assert exchange.client.get(f"/v1/orders/{placed['hash']}").json()["clientOrderId"] == "grid-7_a"

    listed = exchange.client.get(f"/v1/accounts/{wallet(5)}/orders", params={"clientOrderId": "grid-7_a"}).json()
    assert [o["hash"] for o in listed["orders"]] == [placed["hash"]]
    found = exchange.client.get(f"/v1/accounts/{wallet(5).lower()}/orders/by-client-id/grid-7_a")
    assert (found.status_code, found.json()["hash"]) == (200, placed["hash"])
    everything = exchange.client.get(f"/v1/accounts/{wallet(5)}/orders").json()["orders"]
    assert [o["clientOrderId"] for o in everything] == [None, "grid-8", "grid-7_a"]

    missing = exchange.client.get(f"/v1/accounts/{wallet(5)}/orders/by-client-id/nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ORDER_NOT_FOUND")
    other_wallet = exchange.client.get(f"/v1/accounts/{wallet(6)}/orders/by-client-id/grid-7_a")
    assert other_wallet.status_code == 404


def test_a_reused_client_order_id_is_refused_and_changes_nothing(exchange: Exchange) -> None:
    first = place_with_id(exchange, 5, "bot-1").json()
    signature = cancel_signature(exchange.domain, first["hash"], 5)
    exchange.client.request("DELETE", f"/v1/orders/{first['hash']}", json={"signature": signature})
    before = exchange.state()

    again = place_with_id(exchange, 5, "bot-1", limitPrice=PRICE - TICK)  # the first one is closed: still taken
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "DUPLICATE_CLIENT_ORDER_ID",
        "message": f"this wallet already used clientOrderId bot-1 (order {first['hash']})",
        "field": "clientOrderId",
    }
    assert exchange.state() == before
    assert place_with_id(exchange, 6, "bot-1").status_code == 201  # unique per wallet, not exchange-wide


def test_a_client_order_id_stays_taken_after_a_restart(sqlite_url: str, tmp_path: Path) -> None:
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        assert place_with_id(exchange, 5, "kept").status_code == 201
    for exchange in running(container):
        again = place_with_id(exchange, 5, "kept", limitPrice=PRICE - TICK)
        assert again.json()["error"]["code"] == "DUPLICATE_CLIENT_ORDER_ID"
        restored = exchange.client.get(f"/v1/accounts/{wallet(5)}/orders/by-client-id/kept").json()
        assert (restored["clientOrderId"], restored["status"]) == ("kept", "open")


def test_a_malformed_client_order_id_is_refused_with_a_typed_error(sqlite_exchange: Exchange) -> None:
    before = sqlite_exchange.state()
    for bad in ("", "x" * 37, "has space", "naïve", "a/b", 12, ["a"]):
        response = place_with_id(sqlite_exchange, 5, bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["field"] == "clientOrderId"
    assert sqlite_exchange.state() == before
    listed = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/orders", params={"clientOrderId": "a b"})
    assert (listed.status_code, listed.json()["error"]["code"]) == (422, "INVALID_FIELD")
    by_id = sqlite_exchange.client.get(f"/v1/accounts/{wallet(5)}/orders/by-client-id/{'x' * 37}")
    assert (by_id.status_code, by_id.json()["error"]["field"]) == (422, "clientOrderId")


def test_the_account_channel_echoes_the_client_order_id(sqlite_exchange: Exchange) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet(5)})
        assert ws.receive_json()["op"] == "subscribed"
        placed = place_with_id(sqlite_exchange, 5, "ws-echo").json()
        signature = cancel_signature(sqlite_exchange.domain, placed["hash"], 5)
        sqlite_exchange.client.request("DELETE", f"/v1/orders/{placed['hash']}", json={"signature": signature})
        events = order_events(ws, 2)
    assert [(e["event"], e["clientOrderId"]) for e in events] == [("open", "ws-echo"), ("cancelled", "ws-echo")]


def test_each_party_sees_its_own_client_order_id_on_its_fills(sqlite_exchange: Exchange) -> None:
    with sqlite_exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet(6)})
        assert ws.receive_json()["op"] == "subscribed"
        place_with_id(sqlite_exchange, 5, "resting-bid")
        place_with_id(sqlite_exchange, 6, "crossing-ask", side=1)
        fill_event = next(m for m in (ws.receive_json() for _ in range(20)) if m.get("type") == "fill")
    assert (fill_event["liquidity"], fill_event["clientOrderId"]) == ("taker", "crossing-ask")
    sqlite_exchange.state()  # the batch is stored
    for key_index, expected in ((5, "resting-bid"), (6, "crossing-ask")):
        fills = sqlite_exchange.client.get(f"/v1/accounts/{wallet(key_index)}/fills").json()["fills"]
        assert [f["clientOrderId"] for f in fills] == [expected]
