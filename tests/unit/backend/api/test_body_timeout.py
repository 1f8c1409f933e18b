"""The server `hdex up` and `hdex api` run (ApiServer) disconnects a client whose request body does not arrive
within HDEX_HTTP_BODY_TIMEOUT_S of its headers (408 if nothing was answered yet), so that slow senders cannot hold
every connection; a client kept waiting by the server itself (its application not reading yet, a `100 Continue`
not sent yet), one sending at a fair rate however long it takes, and a WebSocket are not cut off."""

from __future__ import annotations

import asyncio
import http.client
import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.sync.client import connect

import backend.api.server as server_module
from backend.api.server import BODY_MIN_BYTES_PER_S

from .server_kit import serving

BODY_TIMEOUT_S = 0.5
APP_LATE_S = 4 * BODY_TIMEOUT_S  # how long /late makes its client wait before it reads the body
CONCURRENCY = 4
WITHIN_S = 15.0  # generous: what the tests check is that it happens, not how fast


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def late(request: Request) -> PlainTextResponse:
    await asyncio.sleep(APP_LATE_S)
    return PlainTextResponse(str(len(await request.body())))


async def echo_frames(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    """An ApiServer with a short body timeout and a small concurrency bound, serving /echo, /late and /ws."""
    routes = [Route("/echo", echo, methods=["POST"]), Route("/late", late, methods=["POST"])]
    app = Starlette(routes=[*routes, WebSocketRoute("/ws", echo_frames)])
    limits = {"http_body_timeout_s": BODY_TIMEOUT_S, "http_head_timeout_s": 60.0, "http_max_concurrency": CONCURRENCY}
    with serving(app, **limits) as (_server, settings):
        yield settings.api_host, settings.api_port


def request_head(path: str, length: int, *extra: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", "Content-Type: text/plain", f"Content-Length: {length}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (within WITHIN_S, or the test fails)."""
    sock.settimeout(WITHIN_S)
    received = b""
    while chunk := sock.recv(65_536):
        received += chunk
    return received


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the answer the server sends next on a connection it keeps open."""
    answer = http.client.HTTPResponse(sock)
    answer.begin()
    return answer.status, answer.read()


def test_a_body_that_stops_arriving_is_answered_408_and_the_connection_closed(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=10) as slow:
        slow.sendall(request_head("/echo", 1_000) + b"half of it")

        answer = read_until_closed(slow)

    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in answer.lower()


def test_a_body_trickled_byte_by_byte_is_cut_off_although_bytes_keep_coming(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=10) as slow:
        slow.sendall(request_head("/echo", 100_000))
        deadline = time.monotonic() + WITHIN_S
        closed = False
        while not closed and time.monotonic() < deadline:  # a byte every 50 ms: far less than a fair rate
            if select.select([slow], [], [], 0.05)[0]:
                break  # the server answered or closed
            try:
                slow.sendall(b"x")
            except OSError:
                closed = True  # reset: the server closed it while a byte was on its way
        try:
            closed = closed or read_until_closed(slow).startswith(b"HTTP/1.1 408 ")
        except ConnectionResetError:
            closed = True

    assert closed, f"a body trickled for {WITHIN_S} s still held its connection"


def test_slow_bodies_holding_every_connection_are_dropped_and_other_clients_served_again(
    address: tuple[str, int],
) -> None:
    slow = [socket.create_connection(address, timeout=10) for _ in range(CONCURRENCY)]
    try:
        for sock in slow:
            sock.sendall(request_head("/echo", 1_000) + b"{")
        deadline = time.monotonic() + WITHIN_S
        answer = httpx.post(f"http://{address[0]}:{address[1]}/echo", content=b"honest", timeout=10)
        while answer.status_code == 503 and time.monotonic() < deadline:  # the bound is reached, for now
            time.sleep(0.1)
            answer = httpx.post(f"http://{address[0]}:{address[1]}/echo", content=b"honest", timeout=10)

        assert (answer.status_code, answer.text) == (200, "6")
    finally:
        for sock in slow:
            sock.close()


def test_a_body_sent_at_a_fair_rate_is_taken_however_long_it_takes(address: tuple[str, int]) -> None:
    part = 10 * BODY_MIN_BYTES_PER_S  # each part earns ten seconds more: far longer than the pause after it
    parts = 4
    with socket.create_connection(address, timeout=10) as sender:
        sender.sendall(request_head("/echo", parts * part))
        for _ in range(parts):
            sender.sendall(b"x" * part)
            time.sleep(2 * BODY_TIMEOUT_S)  # in all, well past the timeout

        answer = read_answer(sender)

    assert answer == (200, str(parts * part).encode())


def test_a_body_the_application_reads_late_is_not_the_client_s_delay(
    address: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bytes received earn the client no time here: what it has is the time the server was not waiting on its
    # application, which takes the body only after APP_LATE_S.
    monkeypatch.setattr(server_module, "BODY_MIN_BYTES_PER_S", 10**12)
    first, rest = b"x" * 80_000, b"x" * 20_000
    with socket.create_connection(address, timeout=WITHIN_S + APP_LATE_S) as sender:
        sender.sendall(request_head("/late", len(first) + len(rest)) + first)  # past uvicorn's buffer: it stops
        time.sleep(BODY_TIMEOUT_S / 2)  # reading until the application takes what it holds
        sender.sendall(rest)  # all sent: the rest waits in the socket's buffers

        answer = read_answer(sender)

    assert answer == (200, b"100000")


def test_a_client_waiting_for_100_continue_is_not_late(address: tuple[str, int]) -> None:
    with socket.create_connection(address, timeout=WITHIN_S + APP_LATE_S) as waiting:
        waiting.sendall(request_head("/late", 5, "Expect: 100-continue"))
        assert waiting.recv(65_536) == b"HTTP/1.1 100 Continue\r\n\r\n"  # once /late reads, after APP_LATE_S
        waiting.sendall(b"hello")

        answer = read_answer(waiting)

    assert answer == (200, b"5")


def test_a_websocket_is_not_a_body_and_stays_open(address: tuple[str, int]) -> None:
    with connect(f"ws://{address[0]}:{address[1]}/ws", open_timeout=10) as ws:
        time.sleep(4 * BODY_TIMEOUT_S)

        ws.send("still here")
        assert ws.recv(timeout=10) == "still here"
