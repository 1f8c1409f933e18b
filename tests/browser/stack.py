"""`hdex up`'s whole stack on free ports, for browser tests and `make bench-dapp` (no pytest in here).

anvil, the contracts, the API serving `dapp/dist`, the indexer and the relayer, as `make run` starts
them, in a fresh data folder (SQLite), with settings that keep a test fast.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from backend.paths import DAPP_DIST
from tests.processes import stop_process, without_hdex_settings

STARTUP_TIMEOUT_S = 180
# Half-second blocks, one confirmation, settle at once, the engine host syncing twice a second, and
# rate limits no test reaches (every page of every test comes from 127.0.0.1); KYC tier limits ten times
# the defaults, so that the trading tests' unverified wallets trade whole WETH and test_kyc_and_limits
# still meets level 0's limits with 15,000 USDC; a travel-rule threshold above every withdrawal of theirs (the
# dApp's travel-rule fields are vitest's: dapp/src/features/funds).
FAST_SETTINGS = {
    "HDEX_ENV": "development",
    "HDEX_ANVIL_BLOCK_TIME": "0.5",
    "HDEX_CONFIRMATIONS": "1",
    "HDEX_RELAYER_CONFIRMATIONS": "1",
    "HDEX_SETTLEMENT_MAX_WAIT_S": "0",
    "HDEX_TRADING_SYNC_INTERVAL": "0.5",
    "HDEX_ENGINE_FSYNC": "false",
    "HDEX_RATE_LIMIT_IP": "100000/minute",
    "HDEX_RATE_LIMIT_AUTH": "10000/minute",
    "HDEX_RATE_LIMIT_FAUCET": "10000/minute",
    "HDEX_TRAVEL_RULE_THRESHOLD": str(10**30),
    "HDEX_STATS_INTERVAL_S": "0.5",  # statistics rollups (issue 16): the stats page sees trades at once
    "HDEX_LIMITS_TIERS": json.dumps(
        {
            "0": {"withdrawalDaily": "10000", "withdrawal30d": "50000", "maxOrderNotional": "10000"},
            "1": {"withdrawalDaily": "50000", "withdrawal30d": "250000", "maxOrderNotional": "50000"},
            "2": {"withdrawalDaily": "500000", "withdrawal30d": "5000000", "maxOrderNotional": "500000"},
        }
    ),
}


class StackError(RuntimeError):
    """The stack did not start; the message carries the end of its log."""


@dataclass(frozen=True)
class Stack:
    """`hdex up` running: the API (serving the dApp) and its anvil."""

    url: str
    rpc_url: str
    chain_id: int
    contracts: dict[str, str]
    log: Path
    pid: int  # the `hdex up` process (anvil runs under it)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_stack(data_dir: Path) -> Iterator[Stack]:
    """Start `hdex up` with its data in `data_dir`; yield once it is healthy; stop it (SIGINT) after."""
    # HDEX_TEST_DAPP_DIR: a build of one's own (`vite build --outDir`), so parallel work does not share dist.
    dist = Path(os.environ.get("HDEX_TEST_DAPP_DIR") or DAPP_DIST)
    if not (dist / "index.html").is_file():
        raise StackError(f"the dApp is not built ({dist}): run `make setup`")
    api_port, anvil_port = _free_port(), _free_port()
    env = without_hdex_settings(**FAST_SETTINGS, HDEX_DATA_DIR=str(data_dir), HDEX_API_PORT=str(api_port),
               HDEX_ANVIL_PORT=str(anvil_port), HDEX_DAPP_DIR=str(dist))  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "hdex-up.log"
    with log.open("wb") as output:
        # The data folder as working directory: no developer's .env leaks in.
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "up"], cwd=data_dir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{api_port}"
        health = _wait_until_healthy(process, url, log)
        rpc_url = f"http://127.0.0.1:{anvil_port}"
        yield Stack(url, rpc_url, int(health["chain_id"]), dict(health["contracts"]), log, process.pid)
    finally:
        stop_process(process, signal.SIGINT, timeout_s=30)


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"hdex up stopped while starting:\n{log.read_text()[-3000:]}")
        if "HDEX is up" in log.read_text():
            health = httpx.get(f"{url}/health", timeout=5)
            if health.status_code == 200:
                body: dict[str, Any] = health.json()
                return body
        time.sleep(0.2)
    raise StackError(f"hdex up was not healthy within {STARTUP_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
