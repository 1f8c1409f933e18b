"""Every order view reports `unfilled` (baseAmount - filled); `remaining` is what is still on the book."""

from __future__ import annotations

from typing import Any

from backend.engine import ExpireOrders
from backend.trading.hosting.commands import RunEngine
from backend.trading.hosting.host import now_ms

from .exchange_fixtures import QTY, Exchange, wallet
from .signed_requests import cancel_signature

PART = 3 * 10**17


def amounts(view: dict[str, Any]) -> tuple[str, str, str, str]:
    return view["status"], view["filled"], view["remaining"], view["unfilled"]


def test_a_cancelled_order_reports_what_it_left_unfilled(exchange: Exchange) -> None:
    order = exchange.place(5).json()
    assert amounts(order) == ("open", "0", str(QTY), str(QTY))
    exchange.place(6, side=1, baseAmount=PART)  # fills part of it
    assert amounts(exchange.client.get(f"/v1/orders/{order['hash']}").json()) == (
        "open", str(PART), str(QTY - PART), str(QTY - PART),
    )  # fmt: skip
    signature = cancel_signature(exchange.domain, order["hash"], 5)
    cancelled = exchange.client.request("DELETE", f"/v1/orders/{order['hash']}", json={"signature": signature})
    assert amounts(cancelled.json()) == ("cancelled", str(PART), "0", str(QTY - PART))
    exchange.state()  # written
    stored = exchange.client.get(f"/v1/accounts/{wallet(5)}/orders").json()["orders"][0]
    assert amounts(stored) == ("cancelled", str(PART), "0", str(QTY - PART))


def test_the_account_channel_reports_the_unfilled_amount_of_an_expired_order(sqlite_exchange: Exchange) -> None:
    exchange = sqlite_exchange
    with exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "account", "address": wallet(5)})
        assert ws.receive_json()["op"] == "subscribed"
        order = exchange.place(5, expiry=int(now_ms() / 1000) + 3600).json()
        exchange.place(6, side=1, baseAmount=PART)
        app: Any = exchange.client.app
        host = app.state.trading.host
        exchange.client.portal.call(host.handle, RunEngine(ExpireOrders(now_ms() + 7_200_000)))  # type: ignore[union-attr]
        for _ in range(20):
            message = ws.receive_json()
            if message.get("type") == "order" and message["status"] == "expired":
                break
        else:
            raise AssertionError("no expiry event")
    assert message["hash"] == order["hash"]
    assert amounts(message) == ("expired", str(PART), "0", str(QTY - PART))
