"""An API replica (the real `hdex api`) in front of clients that leave, send slowly or read slowly: a WebSocket
handshake its client abandons leaves no connection open on the engine process (which would count it against the
client's IP for good); slow uploads, and clients that stop reading a large answer (cut off after
HDEX_HTTP_WRITE_TIMEOUT_S), do not hold the replica's connections to the engine, so other requests still pass.

The engine process is stood in for by a small app in the test process that counts what the real one would hold
(its open WebSockets, the requests it has begun, the large answers it is sending) and answers with what it
received; `test_replicas.py` runs replicas in front of the real one."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.sync.client import connect as ws_connect

from backend.api.replica import ENGINE_CONNECTIONS, create_replica_app, forwarded_body_limit
from backend.api.routes.orders import ORDER_ENTRY_MAX_BODY_BYTES
from backend.settings import load_settings
from tests.processes import stop_process

from ..conftest import free_port
from .cluster import HDEX, wait_until_answering

REDIS_URL = os.environ.get("HDEX_REDIS_URL")
UPLOAD_PATH = "/v1/support/tickets"  # passed on to the engine process, as every request but order entry
UPLOAD_MAX_BYTES = 4_096  # the replica's KYC and attachment limits: a small largest body to refuse
WITHIN_S = 30.0  # generous: what the tests check is that it happens, not how fast
LARGE_PATH = "/v1/large"
CHUNK = b"x" * (64 * 1024)
# Far more than the kernel buffers between the replica and a client reading nothing (a few MB on Linux), so that
# the replica's `send` of it waits.
LARGE_CHUNKS = 128  # 8 MB
WRITE_TIMEOUT_S = 0.5
MEMORY_BYTES = 2_048  # the replica's HDEX_MAX_BODY_BYTES: bodies past it wait in a temporary file until sent
PAST_MEMORY = MEMORY_BYTES + 1_000


class Engine:
    """The engine process's HTTP and WebSocket doors, as far as a replica passes requests on to them."""

    def __init__(self) -> None:
        self.port = free_port()
        self.websockets_opened = 0
        self.websockets_open = 0
        self.uploads_begun = 0  # requests whose head arrived, their body maybe not yet
        self.answers_begun = 0  # large answers
        self.answers_ended = 0  # taken whole, or their connection closed
        self.server = uvicorn.Server(
            uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Starlette:
        async def markets(_request: Request) -> JSONResponse:
            return JSONResponse([])

        async def upload(request: Request) -> JSONResponse:
            self.uploads_begun += 1
            body = await request.body()
            return JSONResponse({
                "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                "contentLength": request.headers.get("content-length"),
                "transferEncoding": request.headers.get("transfer-encoding"),
            })  # fmt: skip

        async def stream(websocket: WebSocket) -> None:
            await websocket.accept()
            self.websockets_opened += 1
            self.websockets_open += 1
            try:
                while True:
                    await websocket.send_text(await websocket.receive_text())
            except WebSocketDisconnect:
                pass
            finally:
                self.websockets_open -= 1

        async def chunks() -> AsyncIterator[bytes]:
            self.answers_begun += 1
            try:
                for _ in range(LARGE_CHUNKS):
                    yield CHUNK
            finally:
                self.answers_ended += 1

        async def large(_request: Request) -> StreamingResponse:
            headers = {"content-length": str(LARGE_CHUNKS * len(CHUNK))}
            return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)

        routes = [
            Route("/v1/markets", markets), Route(UPLOAD_PATH, upload, methods=["POST"]), Route(LARGE_PATH, large),
        ]  # fmt: skip
        return Starlette(routes=[*routes, WebSocketRoute("/v1/ws", stream)])


@dataclass
class Deployment:
    engine: Engine
    replica_url: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The stand-in engine in a thread and one `hdex api` in front of it. Its own body timeout is long: what the
    upload tests see is the replica's own doing, not its server cutting slow senders off; its write timeout short."""
    if not REDIS_URL:
        pytest.skip("no Redis configured (HDEX_REDIS_URL)")
    engine = Engine()
    serving = threading.Thread(target=engine.server.run, daemon=True)
    serving.start()
    data_dir = tmp_path_factory.mktemp("replica")
    port = free_port()
    env = {
        **os.environ, "HDEX_ENGINE_URL": engine.url, "HDEX_REDIS_URL": REDIS_URL, "HDEX_API_PORT": str(port),
        "HDEX_HTTP_BODY_TIMEOUT_S": "300", "HDEX_HTTP_WRITE_TIMEOUT_S": str(WRITE_TIMEOUT_S),
        "HDEX_KYC_MAX_UPLOAD_BYTES": str(UPLOAD_MAX_BYTES), "HDEX_MAX_BODY_BYTES": str(MEMORY_BYTES),
        "HDEX_SUPPORT_MAX_ATTACHMENT_BYTES": str(UPLOAD_MAX_BYTES), "HDEX_RATE_LIMIT_IP": "1000000/second",
        "HDEX_DATA_DIR": str(data_dir), "HDEX_LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log_path = data_dir / "replica.log"
    replica = subprocess.Popen([str(HDEX), "api"], env=env, stdout=log_path.open("ab"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WITHIN_S
        while not engine.server.started:
            assert time.monotonic() < deadline, "the stand-in engine never started"
            time.sleep(0.05)
        wait_until_answering(f"http://127.0.0.1:{port}/metrics", replica, log_path)
        yield Deployment(engine, f"http://127.0.0.1:{port}")
    finally:
        stop_process(replica, timeout_s=15)
        engine.server.should_exit = True
        serving.join(timeout=30)


def until(condition: str, check: Callable[[], bool]) -> None:
    """Wait up to WITHIN_S for `check()` to hold; fail naming `condition` otherwise."""
    deadline = time.monotonic() + WITHIN_S
    while not check():
        assert time.monotonic() < deadline, f"not within {WITHIN_S} s: {condition}"
        time.sleep(0.05)


def abandoned_handshake(replica_url: str) -> None:
    """A WebSocket handshake whose client leaves at once, before the replica can accept it."""
    host, port = replica_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            f"GET /v1/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )


def test_websocket_handshakes_their_clients_abandon_leave_no_connection_open_on_the_engine(
    deployment: Deployment,
) -> None:
    engine = deployment.engine
    opened_before = engine.websockets_opened
    abandoned = 20  # as many as an IP may hold on the engine by default: leaked, they locked it out for good
    for _ in range(abandoned):
        abandoned_handshake(deployment.replica_url)

    until("the replica passed every handshake on", lambda: engine.websockets_opened - opened_before == abandoned)
    until("the engine's side of each abandoned WebSocket closed", lambda: engine.websockets_open == 0)

    with ws_connect(deployment.replica_url.replace("http://", "ws://") + "/v1/ws", open_timeout=10) as honest:
        honest.send("ping")
        assert honest.recv(timeout=10) == "ping"
    until("the engine's side of a closed WebSocket closed", lambda: engine.websockets_open == 0)


def test_slow_uploads_through_a_replica_do_not_hold_its_connections_to_the_engine(deployment: Deployment) -> None:
    engine = deployment.engine
    begun_before = engine.uploads_begun
    host, port = deployment.replica_url.removeprefix("http://").split(":")
    slow = [socket.create_connection((host, int(port)), timeout=10) for _ in range(ENGINE_CONNECTIONS + 10)]
    try:
        for sock in slow:  # more uploads than the replica has connections to the engine, each stalled at its start
            sock.sendall(
                f"POST {UPLOAD_PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
                "Content-Length: 1000\r\n\r\n{".encode()
            )
        # Streamed on, they reach the engine at once and hold every connection: give them the chance to.
        deadline = time.monotonic() + 3
        while engine.uploads_begun - begun_before < ENGINE_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.05)

        answer = httpx.get(f"{deployment.replica_url}/v1/markets", timeout=WITHIN_S)

        assert (answer.status_code, answer.json()) == (200, [])
        assert engine.uploads_begun == begun_before, "a request reached the engine before its body was all here"
    finally:
        for sock in slow:
            sock.close()


def replica_body_limit() -> int:
    """The largest body the fixture's replica passes on."""
    settings = load_settings(
        _env_file=None,
        kyc_max_upload_bytes=UPLOAD_MAX_BYTES,
        support_max_attachment_bytes=UPLOAD_MAX_BYTES,
        max_body_bytes=MEMORY_BYTES,
    )
    return forwarded_body_limit(settings)


async def in_chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 10_000):
        yield body[start : start + 10_000]


@pytest.mark.parametrize(
    "size, chunked",
    [(0, False), (900, False), (UPLOAD_MAX_BYTES, True), (PAST_MEMORY, False), (PAST_MEMORY, True)],
    ids=["empty", "small", "small-chunked", "past-memory", "past-memory-chunked"],
)
def test_a_body_passed_on_reaches_the_engine_whole_with_its_length(
    deployment: Deployment, size: int, chunked: bool
) -> None:
    body = os.urandom(size)
    assert size <= replica_body_limit()

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(timeout=WITHIN_S) as client:
            content = in_chunks(body) if chunked else body  # chunked: no Content-Length from the client
            return await client.post(f"{deployment.replica_url}{UPLOAD_PATH}", content=content)

    answer = asyncio.run(post())

    assert answer.status_code == 200, answer.text
    received = answer.json()
    assert received == {"bytes": size, "sha256": hashlib.sha256(body).hexdigest(), "contentLength": str(size),
                        "transferEncoding": None}  # fmt: skip


def test_a_body_over_the_largest_the_engine_takes_is_refused_by_the_replica(deployment: Deployment) -> None:
    limit = replica_body_limit()
    begun_before = deployment.engine.uploads_begun

    answer = httpx.post(f"{deployment.replica_url}{UPLOAD_PATH}", content=b"x" * (limit + 1), timeout=WITHIN_S)

    assert answer.status_code == 413 and answer.json()["error"]["code"] == "BODY_TOO_LARGE", answer.text
    assert deployment.engine.uploads_begun == begun_before


def test_an_order_body_over_the_order_entry_limit_is_refused_before_it_reaches_redis() -> None:
    """Each order a replica hands on waits in Redis until answered: a body up to HDEX_MAX_BODY_BYTES (256 KiB) each,
    10,000 deep, took gigabytes there. Order entry takes 16 KiB (a signed order is under 2). A replica on the default
    settings, in process: the refusal comes before it needs Redis or the engine."""
    settings = load_settings(redis_url="redis://127.0.0.1:1/0", engine_url="http://127.0.0.1:1")
    assert settings.max_body_bytes > ORDER_ENTRY_MAX_BODY_BYTES
    body = b'{"padding": "' + b"x" * ORDER_ENTRY_MAX_BODY_BYTES + b'"}'

    async def send_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_replica_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
            paths = (("POST", "/v1/orders"), ("POST", "/v1/orders/replace"), ("DELETE", "/v1/orders/0x" + "ab" * 32))
            return [await client.request(method, path, content=body) for method, path in paths]

    for answer in asyncio.run(send_all()):
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == {
            "code": "BODY_TOO_LARGE", "message": f"request bodies are limited to {ORDER_ENTRY_MAX_BODY_BYTES} bytes",
            "field": None,
        }  # fmt: skip


def requesting_without_reading(replica_url: str, path: str) -> socket.socket:
    """A connection with a small receive buffer that has sent GET `path` and will read nothing of the answer."""
    host, port = replica_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4_096)  # before connecting: the window is set then
    sock.settimeout(10)
    sock.connect((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def test_clients_that_stop_reading_large_answers_do_not_hold_the_replica_s_connections_to_the_engine(
    deployment: Deployment,
) -> None:
    engine = deployment.engine
    begun_before = engine.answers_begun
    stalled = [requesting_without_reading(deployment.replica_url, LARGE_PATH) for _ in range(ENGINE_CONNECTIONS + 10)]
    try:
        # Their answers begin on the engine, each holding one of the replica's connections to it: give them time to.
        deadline = time.monotonic() + 3
        while engine.answers_begun - begun_before < ENGINE_CONNECTIONS and time.monotonic() < deadline:
            time.sleep(0.05)

        deadline = time.monotonic() + WITHIN_S
        answer = httpx.get(f"{deployment.replica_url}/v1/markets", timeout=WITHIN_S)
        while answer.status_code == 503 and time.monotonic() < deadline:  # every connection busy, for now
            time.sleep(0.1)
            answer = httpx.get(f"{deployment.replica_url}/v1/markets", timeout=WITHIN_S)

        assert (answer.status_code, answer.json()) == (200, [])
        until("the replica let go of every answer nobody takes", lambda: engine.answers_ended == engine.answers_begun)
    finally:
        for sock in stalled:
            sock.close()
