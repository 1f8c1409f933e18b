"""The client drops an idle connection before the server's keep-alive closes it (HDEX_HTTP_KEEP_ALIVE_S, 5 s by
default): one reused just as the server closes it fails its request unanswered ("Server disconnected without
sending a response"), which httpx's own expiry, also 5 s, let happen. Shown against a server that never closes
one: back to back, requests share a connection; after an idle KEEPALIVE_EXPIRY_S, the next opens a new one."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from backend.client import AsyncHdexClient, HdexClient
from backend.client.core import KEEPALIVE_EXPIRY_S
from backend.settings import Settings

ORDER = "0x" + "ab" * 32


class _KeptAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the connection stays open between requests
    connections: list[int]

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)

    def do_GET(self) -> None:
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[int]]]:
    connections: list[int] = []
    handler = type("Handler", (_KeptAlive,), {"connections": connections})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", connections
    httpd.shutdown()
    httpd.server_close()


def test_the_default_leaves_a_margin_before_the_server_s_keep_alive() -> None:
    assert Settings.model_fields["http_keep_alive_s"].default / 2 >= KEEPALIVE_EXPIRY_S


def test_both_clients_open_a_new_connection_after_an_idle_keep_alive_expiry(server: tuple[str, list[int]]) -> None:
    url, connections = server

    async def twice_apart() -> None:
        sync, aio = HdexClient(url), AsyncHdexClient(url)
        for _ in range(2):
            sync.order(ORDER)
            await aio.order(ORDER)
        assert len(connections) == 2  # one each, kept alive between requests
        await asyncio.sleep(KEEPALIVE_EXPIRY_S + 0.2)  # at least that idle: how slow the machine is cannot matter
        sync.order(ORDER)
        await aio.order(ORDER)
        assert len(connections) == 4  # the idle ones were let go, not reused
        sync.close()
        await aio.close()

    asyncio.run(twice_apart())
