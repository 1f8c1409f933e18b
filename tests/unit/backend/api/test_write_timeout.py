"""The server `hdex up` and `hdex api` run (ApiServer) disconnects a client that stops taking its answer: once the
answer waits for it longer than HDEX_HTTP_WRITE_TIMEOUT_S (and a second more per 8 KiB it took meanwhile), the
connection is dropped and the application's pending `send` returns, so that clients requesting large answers and
never reading them cannot hold every connection (nor, through a replica, its connections to the engine). A client
that reads a large answer slowly but steadily gets all of it."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from backend.api.server import ApiServer

from .server_kit import serving

WRITE_TIMEOUT_S = 0.5
CONCURRENCY = 4
STALLED = CONCURRENCY - 1  # as many as it serves at once: uvicorn counts the connection asking among them
WITHIN_S = 20.0  # generous: what the tests check is that it happens, not how fast
# Far more than the kernel buffers between the server and a client reading nothing (a few MB on Linux), so that
# most of the answer waits in the server's own buffer.
ANSWER = b"x" * (16 * 1024 * 1024)
CHUNK_BYTES = 64 * 1024
STALLED_RCVBUF = 4_096  # a client that reads nothing: its kernel takes little of the answer for it


class StreamedAnswer:
    """ASGI app sending ANSWER in chunks, each `send` waiting until the client took enough of the ones before (as a
    replica passes the engine's answer on, holding a connection to the engine meanwhile); counts the answers
    whose sending ended."""

    def __init__(self) -> None:
        self.ended = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            headers = [(b"content-length", str(len(ANSWER)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for start in range(0, len(ANSWER), CHUNK_BYTES):
                chunk = ANSWER[start : start + CHUNK_BYTES]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.ended += 1


async def whole(_request: Request) -> Response:
    return Response(ANSWER, media_type="application/octet-stream")  # one write of all of it


async def small(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@dataclass
class Served:
    address: tuple[str, int]
    server: ApiServer
    streamed: StreamedAnswer

    def open_connections(self) -> int:
        return len(self.server.server_state.connections)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """An ApiServer with a short write timeout and a small concurrency bound, serving /whole, /streamed and /small."""
    streamed = StreamedAnswer()
    routes = [Route("/whole", whole), Route("/streamed", streamed), Route("/small", small)]
    limits = {
        "http_write_timeout_s": WRITE_TIMEOUT_S, "http_head_timeout_s": 60.0, "http_body_timeout_s": 60.0,
        "http_max_concurrency": CONCURRENCY,
    }  # fmt: skip
    with serving(Starlette(routes=routes), **limits) as (server, settings):
        yield Served((settings.api_host, settings.api_port), server, streamed)


def until(condition: str, check: Callable[[], bool]) -> None:
    """Wait up to WITHIN_S for `check()` to hold; fail naming `condition` otherwise."""
    deadline = time.monotonic() + WITHIN_S
    while not check():
        assert time.monotonic() < deadline, f"not within {WITHIN_S} s: {condition}"
        time.sleep(0.05)


def requesting(address: tuple[str, int], path: str, rcvbuf: int) -> socket.socket:
    """A connection with a receive buffer of `rcvbuf` bytes that has sent GET `path`."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connecting: the window is set then
    sock.settimeout(WITHIN_S)
    sock.connect(address)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def received_until_closed(sock: socket.socket) -> int:
    """How many bytes arrive before the connection ends (reset or closed by the server)."""
    received = 0
    try:
        while chunk := sock.recv(65_536):
            received += len(chunk)
    except ConnectionResetError:
        pass
    return received


@pytest.mark.parametrize("path", ["/whole", "/streamed"], ids=["written-at-once", "streamed"])
def test_clients_that_stop_reading_a_large_answer_are_disconnected_and_others_served_again(
    served: Served, path: str
) -> None:
    ended_before = served.streamed.ended
    stalled = [requesting(served.address, path, STALLED_RCVBUF) for _ in range(STALLED)]
    try:
        url = f"http://{served.address[0]}:{served.address[1]}/small"
        deadline = time.monotonic() + WITHIN_S
        answer = httpx.get(url, timeout=10)
        while answer.status_code == 503 and time.monotonic() < deadline:  # the bound is reached, for now
            time.sleep(0.1)
            answer = httpx.get(url, timeout=10)

        assert (answer.status_code, answer.text) == (200, "ok")
        until("the server dropped every connection", lambda: served.open_connections() == 0)
        if path == "/streamed":
            until("each application's pending send returned", lambda: served.streamed.ended - ended_before == STALLED)
        for sock in stalled:  # what the client's kernel took for it, and then the end: not the whole answer
            assert received_until_closed(sock) < len(ANSWER)
    finally:
        for sock in stalled:
            sock.close()


def test_a_client_reading_a_trickle_is_cut_off_although_bytes_keep_moving(served: Served) -> None:
    with requesting(served.address, "/whole", STALLED_RCVBUF) as trickling:
        deadline = time.monotonic() + WITHIN_S
        received, ended = 0, False
        while not ended and time.monotonic() < deadline:  # 512 bytes every 100 ms: far less than a fair rate
            try:
                part = trickling.recv(512)
            except ConnectionResetError:
                part = b""
            received += len(part)
            ended = not part
            time.sleep(0.1)

    assert ended, f"a client reading a trickle still held its connection after {WITHIN_S} s"
    assert received < len(ANSWER)


def test_a_client_reading_a_large_answer_slowly_but_steadily_gets_all_of_it(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeout_s = 2.0  # the time the client has to begin reading: generous (it does at once)
    monkeypatch.setattr(served.server.config, "write_timeout_s", timeout_s)  # read by the server at each pause
    step = 4 * 1024 * 1024  # each step earns the client 512 s more: far longer than the pause after it
    with requesting(served.address, "/whole", 64 * 1024) as reader:
        answer = http.client.HTTPResponse(reader)
        answer.begin()
        received = 0
        while part := answer.read(step):
            received += len(part)
            time.sleep(1.5 * timeout_s)  # each pause, and all the more all of them, past the timeout

    assert (answer.status, received) == (200, len(ANSWER))
