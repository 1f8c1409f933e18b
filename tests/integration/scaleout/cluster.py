"""A scale-out deployment in processes, for the tests: one engine process (`engine_process`, the API app with
the command stream on) and API replicas (the real `hdex api`), over a database the test prepared and a Redis
database of their own. Each process can be killed (SIGKILL, nothing flushed) and started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis

from backend.chain.devkeys import DEV_KEYS
from backend.paths import PROJECT_ROOT
from backend.signing import Domain, Order, order_digest, sign_digest
from tests.processes import stop_process

from ..api.exchange_fixtures import CHAIN_ID, EXCHANGE, LOT, PRICE, TICK, USDC, WETH, order_json, wallet
from ..conftest import free_port
from ..devchain import WIDE_LIMITS

PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
HDEX = PROJECT_ROOT / ".venv" / "bin" / "hdex"
# as production would run it: the replicas vouch for the signatures they checked (HDEX_COMMAND_KEY)
COMMAND_KEY = "scale-out-tests-command-key-0123456789"
ENGINE_MODULE = "tests.integration.scaleout.engine_process"
DOMAIN = Domain(CHAIN_ID, EXCHANGE)


def signed_order(
    key_index: int, side: int, price: int, nonce: int, amount: int = 10 * LOT, domain: Domain = DOMAIN, flags: int = 0
) -> dict[str, Any]:
    """A POST /v1/orders body: `amount` WETH at `price`, signed by dev key `key_index` (a funded trader 5..9)."""
    expiry = int(time.time()) + 3600
    order = Order(wallet(key_index), WETH, USDC, side, amount, price, 0, 2_000, nonce, expiry, flags)
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), order_digest(domain, order))
    return {"order": order_json(order), "signature": "0x" + signature.hex()}


def crossing_orders(count: int) -> list[dict[str, Any]]:
    """`count` orders from five wallets around the mid, so that about half of them trade with resting ones."""
    orders = []
    for i in range(count):
        side = (i * 7 + i // 3) % 2
        offset = ((i * 13) % 9 - 4) * TICK  # -4..+4 ticks: buys and sells cross often
        orders.append(signed_order(5 + i % 5, side, PRICE + offset, nonce=1_000 + i, amount=(4 + i % 4) * LOT))
    return orders


@dataclass
class Cluster:
    database_url: str
    data_dir: Path
    redis_url: str
    max_len: int = 10_000
    answer_timeout_s: float = 10.0
    lease_s: float = 2.0  # the engine lease's term: a killed engine's runs out soon
    engine_port: int = field(default_factory=free_port)
    engine: subprocess.Popen[bytes] | None = None
    replicas: list[tuple[int, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def engine_url(self) -> str:
        return f"http://127.0.0.1:{self.engine_port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replicas[index][0]}"

    def start(self, replicas: int = 2) -> None:
        """The engine process and `replicas` replicas, started side by side; returns once all answer."""
        self.start_engine(wait=False)
        for _ in range(replicas):
            self.start_replica(wait=False)
        self.wait_until_answering()

    def wait_until_answering(self) -> None:
        assert self.engine is not None
        wait_until_answering(f"{self.engine_url}/v1/markets", self.engine, self.data_dir / "engine.log")
        for port, process in self.replicas:
            wait_until_answering(f"http://127.0.0.1:{port}/v1/markets", process, self.data_dir / f"replica-{port}.log")

    def start_engine(self, wait: bool = True) -> None:
        self.engine = self.engine_process("engine-1", self.data_dir, self.engine_port)
        if wait:
            wait_until_answering(f"{self.engine_url}/v1/markets", self.engine, self.data_dir / "engine.log")

    def engine_process(self, consumer: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
        """An engine process named `consumer` in the stream's group, with its journal in `data_dir`; it runs the
        book once it holds the engine lease and stands by until then."""
        settings = {
            "database_url": self.database_url, "data_dir": str(data_dir), "redis_url": self.redis_url,
            "command_stream": True, "engine_consumer": consumer, "engine_fsync": True, "engine_lease_s": self.lease_s,
            "trading_sync_interval": 60.0, "rate_limit_ip": "1000000/second", "rate_limit_address": "1000000/second",
            "max_open_orders": 100_000, "command_key": COMMAND_KEY, "command_stream_max_len": self.max_len,
            **WIDE_LIMITS,
        }  # fmt: skip
        log = (data_dir / "engine.log").open("ab")
        return subprocess.Popen(
            [str(PYTHON), "-m", ENGINE_MODULE, json.dumps(settings), str(port)],
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start_replica(self, wait: bool = True, redis_url: str | None = None, engine_url: str | None = None) -> int:
        """One more `hdex api` (on another Redis than the engine's with `redis_url`, in front of another engine
        process with `engine_url`); its index."""
        port = free_port()
        env = {
            **os.environ, "HDEX_ENGINE_URL": engine_url or self.engine_url,
            "HDEX_REDIS_URL": redis_url or self.redis_url,
            "HDEX_API_PORT": str(port), "HDEX_COMMAND_STREAM_MAX_LEN": str(self.max_len),
            "HDEX_REPLICA_ANSWER_TIMEOUT_S": str(self.answer_timeout_s),
            "HDEX_RATE_LIMIT_IP": "1000000/second", "HDEX_RATE_LIMIT_ADDRESS": "1000000/second",
            "HDEX_DATA_DIR": str(self.data_dir), "HDEX_LOG_LEVEL": "WARNING", "HDEX_COMMAND_KEY": COMMAND_KEY,
        }  # fmt: skip
        log_path = self.data_dir / f"replica-{port}.log"
        process = subprocess.Popen([str(HDEX), "api"], cwd=PROJECT_ROOT, env=env, stdout=log_path.open("ab"),
                                   stderr=subprocess.STDOUT)  # fmt: skip
        self.replicas.append((port, process))
        if wait:
            wait_until_answering(f"http://127.0.0.1:{port}/metrics", process, log_path)  # its own: with no engine too
        return len(self.replicas) - 1

    def kill_engine(self) -> None:
        assert self.engine is not None
        self.engine.send_signal(signal.SIGKILL)
        self.engine.wait()

    def kill_replica(self, index: int) -> None:
        process = self.replicas[index][1]
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in [p for _port, p in self.replicas] + ([self.engine] if self.engine else []):
            stop_process(process, timeout_s=15)

    def outstanding(self) -> int:
        """Commands in the stream not yet done by the engine."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            return int(client.xlen("hdex:commands"))
        finally:
            client.close()


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")
