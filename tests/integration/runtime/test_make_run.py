"""`make run` on embedded defaults: announced only once it listens, healthy within 120 s, nothing left
listening after SIGINT or SIGTERM, and a restart goes on with the same chain and engine.

The signal goes to make's pid alone (the hard case: make does not forward SIGINT to its recipe).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from backend.paths import PROJECT_ROOT
from tests.processes import without_hdex_settings

from ..conftest import free_port

pytestmark = pytest.mark.chain


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    api_port: int
    anvil_port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(data_dir: Path) -> Running:
    api_port, anvil_port = free_port(), free_port()
    env = without_hdex_settings(
        HDEX_DATA_DIR=str(data_dir), HDEX_API_PORT=str(api_port), HDEX_ANVIL_PORT=str(anvil_port)
    )
    log = data_dir / "make-run.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return Running(process, api_port, anvil_port, log)


def _wait_healthy(running: Running, timeout: float = 120.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert running.process.poll() is None, running.log.read_text()[-3000:]
        try:
            response = httpx.get(f"{running.url}/health", timeout=2)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not healthy within {timeout} s:\n{running.log.read_text()[-3000:]}")


def _wait_announced(running: Running, timeout: float = 120.0) -> None:
    """Poll the log until the `HDEX is up` line appears."""
    deadline = time.monotonic() + timeout
    while "HDEX is up" not in running.log.read_text():
        assert running.process.poll() is None, running.log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no `HDEX is up` within {timeout} s:\n{running.log.read_text()[-3000:]}"
        time.sleep(0.01)


def _stop(running: Running, signum: int) -> float:
    """Signal make alone; return seconds until neither port listens."""
    started = time.monotonic()
    running.process.send_signal(signum)
    while _listening(running.api_port) or _listening(running.anvil_port):
        if time.monotonic() - started > 10:
            break
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def cleanup() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def _stops_everything(running: Running, signum: int) -> None:
    """`signum` to make alone: within 10 s neither the API's nor anvil's port listens, and make exits."""
    seconds = _stop(running, signum)
    assert not _listening(running.api_port), running.log.read_text()[-2000:]
    assert not _listening(running.anvil_port), running.log.read_text()[-2000:]
    assert seconds < 10
    running.process.wait(timeout=10)


def _resumed(running: Running, contracts: object) -> None:
    """Healthy on the same contracts, neither deployed again nor the engine rebuilt."""
    assert _wait_healthy(running)["contracts"] == contracts
    log = running.log.read_text()
    assert "contracts deployed" not in log
    assert "replaying from scratch" not in log and "rebuilding the book" not in log, log[-3000:]


@pytest.mark.timeout(600)  # three starts, where each test of one start had the suite's 300 s
def test_make_run_serves_health_stops_on_each_signal_and_a_restart_keeps_the_chain_and_the_engine(
    tmp_path: Path, cleanup: list[Running]
) -> None:
    # One cold start (it deploys), then two restarts on its data: each start costs tens of seconds.
    data_dir = tmp_path / "var"
    first = _start(data_dir)
    cleanup.append(first)
    _wait_announced(first)
    assert _listening(first.api_port), "`HDEX is up` was logged before the API accepted connections"
    body = _wait_healthy(first)
    assert body["chain_id"] == 31337
    assert body["database"] == "ok"
    assert "Exchange" in body["contracts"]  # type: ignore[operator]
    log = first.log.read_text()
    assert f"url=http://127.0.0.1:{first.api_port}" in log
    assert "contracts deployed" in log  # so that the restarts' "not deployed again" says something
    _stops_everything(first, signal.SIGTERM)

    second = _start(data_dir)
    cleanup.append(second)
    _resumed(second, body["contracts"])
    # A request whose body never completes keeps uvicorn waiting on shutdown, so make's SIGTERM and
    # our own SIGINT both land: the second is uvicorn's "force exit", which must still stop the engine
    # cleanly (last batch stored, snapshot written).
    with socket.create_connection(("127.0.0.1", second.api_port), timeout=10) as request_in_flight:
        request_in_flight.sendall(
            b"POST /v1/orders HTTP/1.1\r\nHost: hdex\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        _stop(second, signal.SIGTERM)
        second.process.wait(timeout=20)
    log = second.log.read_text()
    # As the app's shutdown, not as a side effect of uvicorn cancelling the app after it finished.
    assert "engine host stopped cleanly" in log.partition("Finished server process")[0], log[-3000:]

    third = _start(data_dir)
    cleanup.append(third)
    _resumed(third, body["contracts"])  # what the forced stop stored is where the engine goes on from
    _stops_everything(third, signal.SIGINT)
