"""Abuse at scale against `hdex up`'s own server (ApiServer: uvicorn with HDEX's limits): per-IP WebSocket
connection and channel caps, weighted rate limits, and many connections with slow readers while a burst of
orders streams to them, during which the API keeps answering another client within its latency bound."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from backend.api.app import create_app
from backend.api.server import ApiServer
from backend.bootstrap import Container
from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient

from ..conftest import free_port
from .exchange_fixtures import MARKET, PRICE, QTY, TICK, prepare, running

CONNECTIONS = 24  # the per-IP cap in these tests: every client here is 127.0.0.1
CHANNELS_PER_IP = 30
HEAD_TIMEOUT_S = 1.0
# A client starved by a slow reader would wait out the send timeout; a ticker answers in milliseconds. The bound
# sits far from both, so a loaded CI machine's pauses (one took 5.9 s) do not fail it and starvation still does.
WS_SEND_TIMEOUT_S = 60.0
LATENCY_BOUND_S = 20.0


@pytest.fixture
def guarded(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, Container]]:
    """The exchange behind ApiServer on a free port, with small per-IP caps."""
    container = prepare(
        sqlite_url, tmp_path, api_host="127.0.0.1", api_port=free_port(), ws_max_connections_per_ip=CONNECTIONS,
        ws_max_subscriptions_per_ip=CHANNELS_PER_IP, ws_send_timeout_s=WS_SEND_TIMEOUT_S,
        http_head_timeout_s=HEAD_TIMEOUT_S,
    )  # fmt: skip
    listening = threading.Event()
    server = ApiServer(create_app(container), container.settings, listening.set)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert listening.wait(timeout=30), "the server never listened"
        yield f"127.0.0.1:{container.settings.api_port}", container
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        container.db_engine.dispose()


def ws(address: str, **options: Any) -> ClientConnection:
    return connect(f"ws://{address}/v1/ws", open_timeout=10, **options)


def request(connection: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    """Send `message`; the next reply that is not channel data."""
    connection.send(json.dumps(message))
    while True:
        reply: dict[str, Any] = json.loads(connection.recv(timeout=10))
        if "op" in reply:
            return reply


def test_an_ip_past_its_connections_is_closed_with_1008_and_a_freed_slot_is_reusable(
    guarded: tuple[str, Container],
) -> None:
    address, _ = guarded
    held = [ws(address) for _ in range(CONNECTIONS)]
    try:
        assert all(request(c, {"op": "ping"}) == {"op": "pong"} for c in held)
        extra = ws(address)
        with pytest.raises(ConnectionClosed) as closed:
            extra.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        held.pop().close()
        deadline = time.monotonic() + 10  # the server counts the closed socket out when its handler ends
        while True:
            again = ws(address)
            try:
                assert request(again, {"op": "ping"}) == {"op": "pong"}
                held.append(again)
                break
            except ConnectionClosed:
                assert time.monotonic() < deadline, "a closed connection's slot was never freed"
    finally:
        for connection in held:
            connection.close()


def test_channels_are_capped_across_an_ip_s_connections(guarded: tuple[str, Container]) -> None:
    address, _ = guarded
    first, second = ws(address), ws(address)
    try:
        intervals = ["1m", "5m", "15m", "1h", "4h", "1d"]
        channels = [{"channel": "candles", "market": MARKET, "interval": i} for i in intervals]
        channels += [{"channel": c, "market": MARKET} for c in ("book", "trades", "ticker")] + [{"channel": "markets"}]
        accounts = [{"channel": "account", "address": "0x" + f"{n:040x}"} for n in range(1, 21)]
        for message in channels + accounts[:5]:  # 15 on the first connection
            assert request(first, {"op": "subscribe", **message})["op"] == "subscribed"
        for message in accounts[5:20]:  # 15 more on the second: 30, the cap
            assert request(second, {"op": "subscribe", **message})["op"] == "subscribed"
        refused = request(second, {"op": "subscribe", **channels[0]})
        assert (refused["op"], refused["error"]["code"]) == ("error", "RATE_LIMITED")
        assert request(first, {"op": "unsubscribe", **channels[0]})["op"] == "unsubscribed"
        assert request(second, {"op": "subscribe", **channels[0]})["op"] == "subscribed"
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("sent", [b"", b"GET /v1/markets HTTP/1.1\r\nHost: x\r\n"], ids=["nothing", "half a head"])
def test_a_client_that_trickles_its_request_is_disconnected(guarded: tuple[str, Container], sent: bytes) -> None:
    address, _ = guarded
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as slow:
        slow.sendall(sent)
        started = time.monotonic()
        assert slow.recv(100) == b"", "the server answered or kept waiting instead of closing"  # b"": closed
        assert time.monotonic() - started < 10 * HEAD_TIMEOUT_S
    assert httpx.get(f"http://{address}/v1/markets", timeout=10).status_code == 200  # others are served


def test_a_book_snapshot_spends_more_of_the_ip_budget_than_a_ticker(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_ip="12/minute"), client_ip="weights"):
        deep = exchange.client.get(f"/v1/markets/{MARKET}/book", params={"depth": 1000})
        assert (deep.status_code, deep.headers["X-RateLimit-Weight"], deep.headers["X-RateLimit-Remaining"]) == (
            200, "10", "2",
        )  # fmt: skip
        assert exchange.client.get(f"/v1/markets/{MARKET}/ticker").headers["X-RateLimit-Remaining"] == "1"
        refused = exchange.client.get(f"/v1/markets/{MARKET}/book")  # weighs 2, 1 left
        assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")


def test_many_connections_and_slow_readers_do_not_starve_other_clients(guarded: tuple[str, Container]) -> None:
    address, _ = guarded
    subscribe = [{"op": "subscribe", "channel": c, "market": MARKET} for c in ("book", "trades")]
    readers: list[ClientConnection] = []
    try:
        for index in range(12):  # half the cap; each reads its subscriptions' replies, then never again
            connection = ws(address, max_queue=1, close_timeout=1)
            for message in subscribe[: 1 + index % 2]:
                assert request(connection, message)["op"] == "subscribed"
            readers.append(connection)
        latencies: list[float] = []
        stop = threading.Event()

        def poll_ticker() -> None:
            with httpx.Client(base_url=f"http://{address}", timeout=10) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    assert client.get(f"/v1/markets/{MARKET}/ticker").status_code == 200
                    latencies.append(time.perf_counter() - started)

        poller = threading.Thread(target=poll_ticker)
        poller.start()
        try:
            burst(f"http://{address}")
        finally:
            stop.set()
            poller.join(timeout=30)
        assert len(latencies) >= 10, "the poller barely ran"
        assert max(latencies) < LATENCY_BOUND_S, sorted(latencies)[-5:]
    finally:
        with ThreadPoolExecutor(max_workers=len(readers) or 1) as pool:  # each waits up to its close timeout
            list(pool.map(ClientConnection.close, readers))


def burst(url: str) -> None:
    """Many book changes and trades for the readers' channels: resting asks at many prices, then one sweep."""
    with HdexClient(url, DEV_KEYS[5]) as maker, HdexClient(url, DEV_KEYS[6]) as taker:
        for step in range(60):
            maker.place_order(MARKET, "sell", QTY // 10, PRICE + step * TICK, post_only=True)
        swept = taker.place_order(MARKET, "buy", 6 * QTY, PRICE + 60 * TICK, time_in_force="IOC")
        assert swept["filled"] == str(6 * QTY)
        assert maker.book(MARKET)["asks"] == []
