"""A second engine process over the same database and stream stands by (takes no command, writes nothing) while
the first holds the engine lease; when the first is killed, it takes the lease over once it runs out, restores
the book, and places the command the dead one had read and never acknowledged, once; an engine process restarted
on the killed one's machine and data directory takes over at once; one whose host a storage fault stopped runs the
book again by itself and answers the command that met the fault (PostgreSQL and Redis)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from backend.trading.usecases.command_stream import GROUP, STREAM, entry_answers
from tests.processes import stop_process

from ..api.exchange_fixtures import PRICE, TICK, prepare
from ..api.test_engine_lease import CONTESTED_LEASE_S, fail_inserts
from ..conftest import free_port
from .cluster import Cluster, signed_order, wait_until_answering
from .test_replicas import REDIS_URL, redis_database, stored

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="no Redis configured (HDEX_REDIS_URL)")


def health(port: int) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
    return body


def wait_for_engine(port: int, status: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while health(port)["engine"] != status:
        assert time.monotonic() < deadline, f"the engine on {port} is {health(port)['engine']}, not {status}"
        time.sleep(0.1)


def test_a_standing_by_engine_takes_over_from_a_killed_one_and_places_its_unacknowledged_command_once(
    postgres_url: str, tmp_path: Path
) -> None:
    prepare(postgres_url, tmp_path).db_engine.dispose()
    cluster = Cluster(postgres_url, tmp_path, redis_database(11), lease_s=CONTESTED_LEASE_S)
    standby_dir, standby_port = tmp_path / "standby", free_port()
    standby_dir.mkdir()
    client = redis.Redis.from_url(cluster.redis_url)
    standby: subprocess.Popen[bytes] | None = None
    try:
        cluster.start(replicas=1)
        standby = cluster.engine_process("engine-2", standby_dir, standby_port)
        wait_until_answering(f"http://127.0.0.1:{standby_port}/v1/markets", standby, standby_dir / "engine.log")
        wait_for_engine(standby_port, "standby")
        resting = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(5, 0, PRICE, nonce=1))
        assert resting.status_code == 201, resting.text
        assert health(cluster.engine_port)["engine"] == "running"

        # The running engine reads a command and dies before acknowledging it.
        assert cluster.engine is not None
        cluster.engine.send_signal(signal.SIGSTOP)
        taker = signed_order(6, 1, PRICE - TICK, nonce=1)
        client.xadd(STREAM, {"id": "taker", "ticket": "t-1", "reply": "hdex:replies:test", "body": json.dumps(taker)})
        client.xreadgroup(GROUP, "engine-1", {STREAM: ">"}, count=10)  # unless its read, blocked in Redis, took it
        assert client.xpending(STREAM, GROUP)["consumers"] == [{"name": b"engine-1", "pending": 1}]
        cluster.kill_engine()

        wait_for_engine(standby_port, "running")
        replies = client.xread({"hdex:replies:test": "0-0"}, count=10, block=30_000)
        again = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=taker, timeout=30)  # the client's retry

        [taker_answer] = entry_answers(replies[0][1][0][1])
        answer = taker_answer.to_json()
        assert (answer["order"]["status"], answer["replayed"]) == ("filled", False), answer
        assert (again.status_code, again.json()["status"]) == (200, "filled"), again.text
        assert client.xpending(STREAM, GROUP)["pending"] == 0  # nothing left behind for a dead consumer
        after = stored(postgres_url)
        assert [row[1] for row in after["orders"]].count("filled") == 2
        assert len(after["orders"]) == 2 and len(after["fills"]) == 1  # placed and traded once
        book = httpx.get(f"http://127.0.0.1:{standby_port}/v1/orders/{resting.json()['hash']}").json()
        assert book["status"] == "filled"
    finally:
        client.close()
        cluster.stop()
        if standby is not None:
            stop_process(standby, timeout_s=15)


def test_an_engine_process_restarted_after_a_crash_runs_the_book_without_waiting_out_its_lease(
    postgres_url: str, tmp_path: Path
) -> None:
    """A supervisor restarts the killed engine process on the same machine and data directory: the new process
    takes the lease from the dead one at once (its mark, `backend/trading/hosting/lease.py`), not after the hour
    left of the term, and trades against the book it restored."""
    prepare(postgres_url, tmp_path).db_engine.dispose()
    cluster = Cluster(postgres_url, tmp_path, redis_database(11), lease_s=3600.0)
    try:
        cluster.start(replicas=1)
        resting = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(5, 0, PRICE, nonce=1))
        assert resting.status_code == 201, resting.text

        cluster.kill_engine()
        cluster.start_engine()

        wait_for_engine(cluster.engine_port, "running")
        taker = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(6, 1, PRICE - TICK, nonce=1),
                           timeout=30)  # fmt: skip
        assert (taker.status_code, taker.json()["status"]) == (201, "filled"), taker.text
    finally:
        cluster.stop()


def test_an_engine_process_stopped_by_a_storage_fault_runs_the_book_again_and_answers_the_command_it_met(
    postgres_url: str, tmp_path: Path
) -> None:
    """The batch of an order cannot be stored (the database refuses new orders): the engine process stops its host,
    gives the lease up and, alone, takes it again a term later with a new host from the database. The order's
    command, left unacknowledged, is read again at once and placed: the client still waiting gets 201."""
    container = prepare(postgres_url, tmp_path)
    cluster = Cluster(postgres_url, tmp_path, redis_database(11), answer_timeout_s=45.0)
    try:
        cluster.start(replicas=1)
        resting = httpx.post(f"{cluster.replica_url(0)}/v1/orders", json=signed_order(5, 0, PRICE, nonce=1))
        assert resting.status_code == 201, resting.text
        fail_inserts(container, "orders", on=True)

        with httpx.Client(timeout=60) as http, ThreadPoolExecutor(1) as pool:
            taking = pool.submit(http.post, f"{cluster.replica_url(0)}/v1/orders",
                                 json=signed_order(6, 1, PRICE - TICK, nonce=1))  # fmt: skip
            wait_for_engine(cluster.engine_port, "standby")  # the host stopped and was let go
            fail_inserts(container, "orders", on=False)
            taker = taking.result()

        assert (taker.status_code, taker.json()["status"]) == (201, "filled"), taker.text
        assert health(cluster.engine_port)["engine"] == "running"
        after = stored(postgres_url)
        assert sorted(row[1] for row in after["orders"]) == ["filled", "filled"] and len(after["fills"]) == 1
    finally:
        container.db_engine.dispose()
        cluster.stop()
