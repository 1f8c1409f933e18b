"""An API replica (the real `hdex api`) in front of clients that request a large answer and stop reading it: each
is cut off after HDEX_HTTP_WRITE_TIMEOUT_S, and the replica lets go of the connection to the engine it was copying
the answer from, so more such clients than the replica has connections to the engine do not lock others out.

The engine process is stood in for by a small app in the test process that counts the large answers it has begun
and the ones that ended (taken whole, or their connection closed)."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from backend.api.replica import ENGINE_CONNECTIONS
from tests.processes import stop_process

from ..conftest import free_port
from .cluster import HDEX, wait_until_answering

REDIS_URL = os.environ.get("HDEX_REDIS_URL")
LARGE_PATH = "/v1/large"  # passed on to the engine process, as every request but order entry
CHUNK = b"x" * (64 * 1024)
# Far more than the kernel buffers between the replica and a client reading nothing (a few MB on Linux), so that
# the replica's `send` of it waits.
LARGE_CHUNKS = 128  # 8 MB
WRITE_TIMEOUT_S = 0.5
WITHIN_S = 30.0  # generous: what the tests check is that it happens, not how fast


class Engine:
    """The engine process's HTTP door, answering LARGE_PATH with a large body in chunks."""

    def __init__(self) -> None:
        self.port = free_port()
        self.answers_begun = 0
        self.answers_ended = 0
        self.server = uvicorn.Server(
            uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Starlette:
        async def markets(_request: Request) -> JSONResponse:
            return JSONResponse([])

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

        return Starlette(routes=[Route("/v1/markets", markets), Route(LARGE_PATH, large)])


@dataclass
class Deployment:
    engine: Engine
    replica_address: tuple[str, int]

    @property
    def replica_url(self) -> str:
        return f"http://{self.replica_address[0]}:{self.replica_address[1]}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The stand-in engine in a thread and one `hdex api` with a short write timeout in front of it."""
    if not REDIS_URL:
        pytest.skip("no Redis configured (HDEX_REDIS_URL)")
    engine = Engine()
    serving = threading.Thread(target=engine.server.run, daemon=True)
    serving.start()
    data_dir = tmp_path_factory.mktemp("replica")
    port = free_port()
    env = {
        **os.environ, "HDEX_ENGINE_URL": engine.url, "HDEX_REDIS_URL": REDIS_URL, "HDEX_API_PORT": str(port),
        "HDEX_HTTP_WRITE_TIMEOUT_S": str(WRITE_TIMEOUT_S), "HDEX_RATE_LIMIT_IP": "1000000/second",
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
        yield Deployment(engine, ("127.0.0.1", port))
    finally:
        stop_process(replica, timeout_s=15)
        engine.server.should_exit = True
        serving.join(timeout=30)


def requesting_without_reading(address: tuple[str, int], path: str) -> socket.socket:
    """A connection with a small receive buffer that has sent GET `path` and will read nothing of the answer."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4_096)  # before connecting: the window is set then
    sock.settimeout(10)
    sock.connect(address)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def test_clients_that_stop_reading_large_answers_do_not_hold_the_replica_s_connections_to_the_engine(
    deployment: Deployment,
) -> None:
    engine = deployment.engine
    begun_before = engine.answers_begun
    address = deployment.replica_address
    stalled = [requesting_without_reading(address, LARGE_PATH) for _ in range(ENGINE_CONNECTIONS + 10)]
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
        deadline = time.monotonic() + WITHIN_S
        while engine.answers_ended < engine.answers_begun and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.answers_ended == engine.answers_begun, "the replica still holds answers nobody takes"
    finally:
        for sock in stalled:
            sock.close()
