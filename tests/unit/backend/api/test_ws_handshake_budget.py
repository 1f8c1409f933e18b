"""Reconnecting to `/v1/ws` buys nothing: each handshake spends the client IP's request limit (past it the socket
is accepted and closed with 1008 and when to retry), and the message budget is the IP's, shared by its
connections and kept after they close until it has refilled. The app is the real WebSocket router behind the
real rate-limit middleware. A budget refills at 1/1000 a second unless the test says otherwise, or on the test's
own clock: nothing here depends on how long a step takes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from backend.api.ratelimit import IpRateLimitMiddleware, RateLimiter
from backend.api.routes import ws
from backend.marketdata.bus import InProcessBus
from backend.marketdata.hub import MarketDataHub
from backend.settings import load_settings

MARKET = "WETH-USDC"
DEEP = {"op": "subscribe", "channel": "book", "market": MARKET, "depth": 1000}  # weighs 10


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Host:
    markets: ClassVar[dict[str, object]] = {MARKET: object()}

    def market_status(self, name: str) -> dict[str, Any]:
        return {"market": name, "state": "open", "halt": None}


def exchange(clock: Clock | None = None, **overrides: object) -> FastAPI:
    """`/v1/ws` as `create_app` wires it: hub, admission, limiter and its middleware."""
    settings = load_settings(_env_file=None, **{"ws_messages_per_s": 0.001, "ws_message_burst": 30, **overrides})
    app = FastAPI()
    app.state.hub = MarketDataHub(InProcessBus())
    app.state.trading = SimpleNamespace(host=Host(), standing_by=False)
    limits = (settings.ws_max_connections_per_ip, settings.ws_max_subscriptions_per_ip)
    app.state.ws_admission = ws.IpAdmission(*limits) if clock is None else ws.IpAdmission(*limits, clock=clock)
    app.state.container = SimpleNamespace(settings=settings)
    app.state.limiter = RateLimiter(settings)
    app.include_router(ws.router)
    app.add_middleware(IpRateLimitMiddleware, limiter=app.state.limiter)
    return app


def reply(connection: Any, message: dict[str, Any]) -> dict[str, Any]:
    """Send `message`; the next reply that is not channel data."""
    connection.send_json(message)
    while True:
        answer: dict[str, Any] = connection.receive_json()
        if "op" in answer:
            return answer


def test_a_client_that_reconnects_finds_its_message_budget_spent_not_refilled() -> None:
    with TestClient(exchange()) as client:
        with client.websocket_connect("/v1/ws") as first:
            answers = [reply(first, DEEP)["op"] for _ in range(4)]  # 30 of budget: three deep books
        assert answers == ["subscribed", "subscribed", "subscribed", "error"]
        for _ in range(3):
            with client.websocket_connect("/v1/ws") as again:
                refused = reply(again, DEEP)
                assert refused["op"] == "error" and refused["error"]["code"] == "RATE_LIMITED", refused


def test_a_spent_budget_refills_at_its_rate_for_the_connection_that_reconnected() -> None:
    clock = Clock()
    with TestClient(exchange(clock, ws_messages_per_s=1.0)) as client:
        with client.websocket_connect("/v1/ws") as first:
            assert [reply(first, DEEP)["op"] for _ in range(3)] == ["subscribed"] * 3
        with client.websocket_connect("/v1/ws") as second:
            assert reply(second, DEEP)["op"] == "error"  # 30 - 3 * 10: nothing left
            clock.now += 10.0  # 1 a second: ten seconds later, one deep book again
            assert reply(second, DEEP)["op"] == "subscribed"
            assert reply(second, {"op": "ping"})["op"] == "error"


def test_connections_of_one_client_at_once_share_one_message_budget() -> None:
    client = TestClient(exchange())
    with client, client.websocket_connect("/v1/ws") as first, client.websocket_connect("/v1/ws") as second:
        answers = [reply(connection, DEEP)["op"] for connection in (first, second, first, second)]
    assert answers == ["subscribed", "subscribed", "subscribed", "error"]


def test_another_client_has_a_budget_of_its_own() -> None:
    app = exchange()
    with TestClient(app, client=("192.0.2.1", 1)) as spender, spender.websocket_connect("/v1/ws") as connection:
        assert [reply(connection, DEEP)["op"] for _ in range(4)][-1] == "error"
    with TestClient(app, client=("192.0.2.2", 1)) as other, other.websocket_connect("/v1/ws") as connection:
        assert reply(connection, DEEP)["op"] == "subscribed"


def test_each_handshake_spends_the_ip_limit_and_one_past_it_is_closed_with_1008_and_when_to_retry() -> None:
    with TestClient(exchange(rate_limit_ip="3/minute")) as client:
        for _ in range(3):
            with client.websocket_connect("/v1/ws") as connection:
                assert reply(connection, {"op": "ping"}) == {"op": "pong"}
        with client.websocket_connect("/v1/ws") as refused, pytest.raises(WebSocketDisconnect) as closed:
            reply(refused, {"op": "ping"})
        assert closed.value.code == 1008
        assert "rate limit of 3 per 1 minute exceeded" in closed.value.reason
        assert "retry in" in closed.value.reason
        assert client.get("/v1/anything").status_code == 429  # the same budget as its HTTP requests


def test_a_handshake_answer_carries_the_rate_limit_headers() -> None:
    client = TestClient(exchange(rate_limit_ip="5/minute"))
    with client, client.websocket_connect("/v1/ws") as connection:
        headers: dict[bytes, bytes] = dict(connection.extra_headers or [])
        assert reply(connection, {"op": "ping"}) == {"op": "pong"}
    assert (headers[b"x-ratelimit-weight"], headers[b"x-ratelimit-remaining"]) == (b"1", b"4")


def test_http_requests_and_handshakes_spend_one_ip_limit() -> None:
    with TestClient(exchange(rate_limit_ip="2/minute")) as client:
        assert client.get("/v1/anything").status_code == 404  # counted, then not found
        with client.websocket_connect("/v1/ws") as connection:
            assert reply(connection, {"op": "ping"}) == {"op": "pong"}
        with client.websocket_connect("/v1/ws") as refused, pytest.raises(WebSocketDisconnect) as closed:
            reply(refused, {"op": "ping"})
        assert closed.value.code == 1008


def test_a_budget_is_forgotten_once_its_client_has_left_and_it_has_refilled_and_not_before() -> None:
    clock = Clock()
    admission = ws.IpAdmission(max_connections=5, max_subscriptions=5, clock=clock)
    admission.connect("a")
    admission.message_budget("a", per_s=1, burst=10).spend(10)
    admission.disconnect("a", subscriptions=0)
    clock.now += 5  # half refilled
    admission.connect("b")  # any admission looks at who left
    assert "a" in admission.budgets
    admission.connect("a")
    assert admission.message_budget("a", per_s=1, burst=10).tokens == pytest.approx(5)  # as it was left
    admission.disconnect("a", subscriptions=0)
    clock.now += 5  # full again: no different from a new one
    admission.disconnect("b", subscriptions=0)
    assert "a" not in admission.budgets and "b" not in admission.budgets  # b never had a budget


def test_a_budget_is_kept_while_its_client_holds_a_connection_however_full() -> None:
    clock = Clock()
    admission = ws.IpAdmission(max_connections=5, max_subscriptions=5, clock=clock)
    admission.connect("a")
    admission.connect("a")
    budget = admission.message_budget("a", per_s=1, burst=10)
    admission.disconnect("a", subscriptions=0)
    clock.now += 3600
    admission.connect("b")
    assert admission.message_budget("a", per_s=1, burst=10) is budget


def test_the_budgets_of_clients_that_left_long_ago_are_forgotten_oldest_first() -> None:
    clock = Clock()
    admission = ws.IpAdmission(max_connections=5, max_subscriptions=5, clock=clock)
    for n in range(100):  # one leaves every 1/8 s with its budget spent; a budget refills in 100 / 8 = 12.5 s
        ip = f"10.0.0.{n}"
        admission.connect(ip)
        admission.message_budget(ip, per_s=8, burst=100).spend(100)
        admission.disconnect(ip, subscriptions=0)
        clock.now += 0.125
    assert len(admission.budgets) == 100  # the first left 12.5 s ago: just refilled, forgotten at the next look
    admission.connect("10.0.1.1")
    assert len(admission.budgets) == 99 and "10.0.0.0" not in admission.budgets
    clock.now += 12.5
    admission.connect("10.0.1.2")
    assert admission.budgets == {}
    assert dict(admission.connections) == {"10.0.1.1": 1, "10.0.1.2": 1}
