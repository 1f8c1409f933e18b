"""`/v1/ws`'s guards in one process: per-IP connection and channel caps, and a reader too slow to keep up dropped
with 1013 (the socket is faked at its edge: a send that never completes is a client that stopped reading)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from backend.api.ratelimit import request_weight
from backend.api.routes.ws import IpAdmission, MessageBudget, _receive, _Session
from backend.errors import ErrorCode, HdexError
from backend.marketdata.bus import InProcessBus
from backend.marketdata.hub import MarketDataHub


class StalledSocket:
    """A WebSocket whose peer reads nothing: every send waits forever; closes are recorded."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: list[int] = []

    async def send_json(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        await asyncio.Event().wait()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed.append(code)


def test_an_ip_holds_at_most_its_connections_and_a_freed_one_is_reusable() -> None:
    admission = IpAdmission(max_connections=2, max_subscriptions=10)
    assert [admission.connect("1.2.3.4") for _ in range(3)] == [True, True, False]
    assert admission.connect("5.6.7.8")  # another address has its own count
    admission.disconnect("1.2.3.4", subscriptions=0)
    assert admission.connect("1.2.3.4")


def test_channels_are_counted_across_an_ip_s_connections_and_released_with_them() -> None:
    admission = IpAdmission(max_connections=5, max_subscriptions=3)
    for _ in range(3):
        admission.subscribe("1.2.3.4")
    with pytest.raises(HdexError) as refused:
        admission.subscribe("1.2.3.4")
    assert refused.value.code is ErrorCode.RATE_LIMITED
    admission.unsubscribe("1.2.3.4")
    admission.subscribe("1.2.3.4")
    admission.connect("1.2.3.4")
    admission.disconnect("1.2.3.4", subscriptions=3)
    assert admission.subscriptions["1.2.3.4"] == 0 and admission.connections["1.2.3.4"] == 0


def test_a_reader_that_stops_reading_is_dropped_with_1013_and_releases_what_it_held() -> None:
    async def scenario() -> tuple[StalledSocket, IpAdmission, int]:
        socket, admission, hub = StalledSocket(), IpAdmission(5, 5), MarketDataHub(bus=None)  # type: ignore[arg-type]
        admission.connect("1.2.3.4")
        session = _Session(socket, hub, {}, admission=admission, ip="1.2.3.4", send_timeout_s=0.01,  # type: ignore[arg-type]
                           budget=MessageBudget(10, 100))  # fmt: skip
        admission.subscribe("1.2.3.4")
        session.keys.add("trades:WETH-USDC")
        hub.attach("trades:WETH-USDC", session.subscription)
        session.subscription.put({"channel": "trades", "market": "WETH-USDC", "id": "1"})
        await asyncio.wait_for(session.forward(), timeout=5)  # returns once it has dropped the client
        session.close()
        hub.deliver("trades:WETH-USDC", {"channel": "trades", "market": "WETH-USDC", "id": "2"})
        return socket, admission, session.subscription.queue.qsize()

    socket, admission, queued_after_close = asyncio.run(scenario())
    assert socket.closed == [1013] and len(socket.sent) == 1
    assert "1.2.3.4" not in admission.connections and "1.2.3.4" not in admission.subscriptions
    assert queued_after_close == 0  # detached from the hub: nothing more is queued for it


def test_a_queue_that_overflowed_drops_the_reader_before_sending_more() -> None:
    async def scenario() -> StalledSocket:
        socket, hub = StalledSocket(), MarketDataHub(bus=None)  # type: ignore[arg-type]
        session = _Session(socket, hub, {}, admission=IpAdmission(5, 5), ip="ip", send_timeout_s=60,  # type: ignore[arg-type]
                           budget=MessageBudget(10, 100))  # fmt: skip
        session.subscription.put({"channel": "trades", "market": "M", "id": "1"})
        session.subscription.overflowed = True
        await asyncio.wait_for(session.forward(), timeout=5)
        return socket

    socket = asyncio.run(scenario())
    assert (socket.sent, socket.closed) == ([], [1013])


@pytest.mark.parametrize(
    ("path", "query", "weight"),
    [
        ("/v1/markets/WETH-USDC/ticker", b"", 1),
        ("/v1/markets", b"", 1),
        ("/v1/markets/WETH-USDC/book", b"", 2),
        ("/v1/markets/WETH-USDC/book", b"depth=100", 2),
        ("/v1/markets/WETH-USDC/book", b"x=1&depth=500", 5),
        ("/v1/markets/WETH-USDC/book", b"depth=1000", 10),
        # spelled as the route reads them, not as a pattern over the raw text would: the deep book's weight
        ("/v1/markets/WETH-USDC/book", b"depth=01000", 10),
        ("/v1/markets/WETH-USDC/book", b"depth=+1000", 10),
        ("/v1/markets/WETH-USDC/book", b"depth=%31000", 10),
        ("/v1/markets/WETH-USDC/book", b"dept%68=1000", 10),
        ("/v1/markets/WETH-USDC/book", b"depth=5&depth=1000", 10),
        ("/v1/markets/WETH-USDC/book", b"depth=lots", 10),
        ("/v1/markets/WETH-USDC/trades", b"limit=500", 2),
        ("/v1/accounts/0xabc/fills", b"", 2),
        ("/v1/accounts/0xabc/balances", b"", 1),
        ("/v1/staff/stats/export", b"", 10),
    ],
)
def test_requests_weigh_what_they_cost_to_answer(path: str, query: bytes, weight: int) -> None:
    assert request_weight(path, query) == weight


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_connections_message_budget_refills_at_its_rate_and_refuses_without_spending() -> None:
    clock = Clock()
    budget = MessageBudget(per_s=10, burst=20, clock=clock)
    for _ in range(20):
        budget.spend(1)
    with pytest.raises(HdexError) as refused:
        budget.spend(1)
    assert (refused.value.code, refused.value.field) == (ErrorCode.RATE_LIMITED, "op")
    clock.now += 0.5  # five more
    for _ in range(5):
        budget.spend(1)
    with pytest.raises(HdexError):
        budget.spend(1)
    clock.now += 3600  # never more than the burst
    budget.spend(20)
    with pytest.raises(HdexError):
        budget.spend(1)


class ScriptedSocket:
    """A client that sends `frames`, then leaves; what it is sent is recorded."""

    def __init__(self, frames: list[str]) -> None:
        self.frames = frames
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if not self.frames:
            return {"type": "websocket.disconnect", "code": 1000}
        return {"type": "websocket.receive", "text": self.frames.pop(0)}

    async def send_json(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


def test_repeated_deep_book_subscribes_spend_the_budget_by_depth_and_the_refused_ones_send_no_snapshot() -> None:
    """A subscribe to a channel already held is not a new channel, but it sorts and sends a whole snapshot: each
    one weighs as the same book over HTTP (depth 1000: 10)."""
    deep = json.dumps({"op": "subscribe", "channel": "book", "market": "WETH-USDC", "depth": 1000})
    socket = ScriptedSocket([deep] * 4 + [json.dumps({"op": "ping"})])
    hub = MarketDataHub(InProcessBus())
    session = _Session(
        socket, hub, {"WETH-USDC": object()}, admission=IpAdmission(5, 5), ip="ip", send_timeout_s=60,  # type: ignore[arg-type]
        budget=MessageBudget(per_s=1, burst=25, clock=Clock()),
    )  # fmt: skip
    asyncio.run(_receive(socket, session))  # type: ignore[arg-type]
    queued = list(session.subscription.queue._queue)  # type: ignore[attr-defined]  # snapshots go out in `forward`
    snapshots = [m for m in queued if m.get("type") == "snapshot"]
    refused = [m["error"]["code"] for m in socket.sent if m.get("op") == "error"]
    assert (len(snapshots), refused) == (2, ["RATE_LIMITED", "RATE_LIMITED"])
    assert socket.sent[-1] == {"op": "pong"}  # 25 - 2 * 10 - 2 (the refused frames) = 3 left: a ping goes through
