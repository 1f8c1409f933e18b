"""The server `hdex up` runs: it says it is listening only when it is, and caps WebSocket frames."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from backend.api.server import ApiServer
from backend.settings import Settings, load_settings

from ..conftest import free_port


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass

    return app


@contextmanager
def serving(settings: Settings, accepted_on_listening: list[bool]) -> Iterator[None]:
    """Run an ApiServer whose hook records whether a connection to its port succeeds right then."""

    def on_listening() -> None:
        try:
            socket.create_connection((settings.api_host, settings.api_port), timeout=1).close()
            accepted_on_listening.append(True)
        except OSError:
            accepted_on_listening.append(False)
        listening.set()

    listening = threading.Event()
    server = ApiServer(echo_app(), settings, on_listening)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert listening.wait(timeout=30), "the server never said it was listening"
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def settings() -> Settings:
    return load_settings(_env_file=None, api_host="127.0.0.1", api_port=free_port(), max_body_bytes=4096)


def test_the_listening_hook_runs_only_once_the_port_accepts_connections(settings: Settings) -> None:
    accepted: list[bool] = []
    with serving(settings, accepted):
        assert accepted == [True]


def test_a_websocket_frame_over_the_body_cap_closes_the_socket_with_1009(settings: Settings) -> None:
    with serving(settings, []), connect(f"ws://127.0.0.1:{settings.api_port}/echo", max_size=None) as ws:
        ws.send("x" * settings.max_body_bytes)
        assert ws.recv(timeout=10) == "x" * settings.max_body_bytes
        ws.send("x" * (settings.max_body_bytes + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
