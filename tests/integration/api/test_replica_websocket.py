"""An API replica passing a WebSocket through (issue 17) drops a client that stopped reading, as the engine
process drops its own: the client is closed with 1013 and the engine's side is closed too, instead of the
replica holding the stalled connection and its backlog for as long as the client stays. The engine here is a
real WebSocket server that streams to whoever connects; the client is the ASGI edge, whose sends never
complete (a socket nobody reads)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from backend.api.replica import Replica
from backend.settings import load_settings

SEND_TIMEOUT_S = 0.2


class Engine:
    """A stand-in engine WebSocket: streams numbered messages to each connection until it is closed."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.forwarded_for: str | None = None

    async def handler(self, connection: ServerConnection) -> None:
        self.forwarded_for = connection.request.headers.get("X-Forwarded-For") if connection.request else None
        with contextlib.suppress(ConnectionClosed):
            for n in range(10_000):
                await connection.send(json.dumps({"channel": "trades", "n": n}))
                await asyncio.sleep(0.001)
            await connection.wait_closed()
        self.closed.set()


class StalledClient:
    """The client's side of the ASGI WebSocket: it connected, then never reads (and never leaves)."""

    def __init__(self, takes: int) -> None:
        self.takes = takes  # frames it reads before it stops
        self.received: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.connected = False

    async def receive(self) -> dict[str, Any]:
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        await asyncio.Event().wait()  # sends nothing, never disconnects
        raise AssertionError("unreachable")

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            self.closed_with = message["code"]
            await asyncio.Event().wait()  # the close frame is not taken either
        if message["type"] == "websocket.send":
            if self.takes == 0:
                await asyncio.Event().wait()
            self.takes -= 1
            self.received.append(json.loads(message["text"]))


def test_a_client_that_stops_reading_is_closed_with_1013_and_the_engine_side_ends() -> None:
    stand_in = Engine()
    client = StalledClient(takes=3)

    async def through_a_replica() -> None:
        async with serve(stand_in.handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            settings = load_settings(
                _env_file=None, engine_url=f"http://127.0.0.1:{port}", redis_url="redis://127.0.0.1:1/0",
                ws_send_timeout_s=SEND_TIMEOUT_S,
            )  # fmt: skip
            replica = Replica(settings)
            scope = {
                "type": "websocket", "path": "/v1/ws", "query_string": b"", "headers": [],
                "client": ("203.0.113.7", 50000),
            }  # fmt: skip
            try:
                await asyncio.wait_for(replica(scope, client.receive, client.send), timeout=10)  # nothing held
                await asyncio.wait_for(stand_in.closed.wait(), timeout=10)
            finally:
                await replica.http.aclose()
                await replica.redis.aclose()

    asyncio.run(through_a_replica())

    assert [m["n"] for m in client.received] == [0, 1, 2]
    assert client.closed_with == 1013
    assert stand_in.forwarded_for == "203.0.113.7"


class ReadingClient:
    """The client's side of the ASGI WebSocket: it reads everything and stays until closed."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.closes: list[tuple[int, str]] = []
        self.connected = False

    async def receive(self) -> dict[str, Any]:
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        await asyncio.Event().wait()  # sends nothing; cancelled once the replica is done
        raise AssertionError("unreachable")

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.close":
            self.closes.append((message["code"], message.get("reason") or ""))
        elif message["type"] == "websocket.send":
            self.received.append(json.loads(message["text"]))


def _through_a_replica(handler: Any, client: ReadingClient) -> None:
    async def run() -> None:
        async with serve(handler, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            settings = load_settings(
                _env_file=None, engine_url=f"http://127.0.0.1:{port}", redis_url="redis://127.0.0.1:1/0"
            )
            replica = Replica(settings)
            scope = {"type": "websocket", "path": "/v1/ws", "query_string": b"", "headers": [], "client": None}
            try:
                await asyncio.wait_for(replica(scope, client.receive, client.send), timeout=10)
            finally:
                await replica.http.aclose()
                await replica.redis.aclose()

    asyncio.run(run())


def test_the_engines_close_code_and_reason_reach_the_client() -> None:
    """A 1013 (the engine dropped a slow reader) or 1012 (restarting) must reach the client as such: passed on as
    1000, a bot takes a frozen stream for a finished one."""
    for code, reason in ((1013, "too slow"), (1012, "restarting"), (1000, "")):

        async def engine(connection: ServerConnection, code: int = code, reason: str = reason) -> None:
            await connection.send(json.dumps({"channel": "trades", "n": 0}))
            await connection.close(code, reason)

        client = ReadingClient()
        _through_a_replica(engine, client)
        assert client.received == [{"channel": "trades", "n": 0}]
        assert client.closes[0] == (code, reason), code


def test_an_engine_connection_lost_without_a_close_frame_reaches_the_client_as_1011() -> None:
    async def engine(connection: ServerConnection) -> None:
        await connection.send(json.dumps({"channel": "trades", "n": 0}))
        connection.transport.abort()  # no close frame: the engine process died

    client = ReadingClient()
    _through_a_replica(engine, client)
    assert client.closes[0][0] == 1011 and "reconnect" in client.closes[0][1]
