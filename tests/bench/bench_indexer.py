"""Indexer benchmark: events indexed per second on a deposit backlog, and credit lag at the head.

Run: `make bench-indexer` (or `.venv/bin/python tests/bench/bench_indexer.py --deposits 10000`).
Prints one JSON line. A real anvil and a real database (SQLite file, or HDEX_DATABASE_URL);
progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from benchkit import calldata, free_port, progress  # beside this script
from eth_account import Account
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend.bootstrap import bootstrap
from backend.chain.compiler import ensure_compiled
from backend.chain.deploy import deploy_dev_stack
from backend.chain.deployments import record_deployments
from backend.chain.devkeys import DEV_KEYS, TRADER_INDICES
from backend.chain.node import AnvilNode
from backend.chain.rpc import make_web3
from backend.db import migrate
from backend.ledger import service as ledger
from backend.settings import load_settings
from indexer.runner import IndexerLoop, build_follower

TXS_PER_BLOCK = 400


class Rpc:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=120)

    def batch(self, calls: list[tuple[str, list[object]]]) -> list[object]:
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        answers = sorted(self.client.post(self.url, json=body).json(), key=lambda a: a["id"])
        errors = [a["error"] for a in answers if "error" in a]
        if errors:
            raise RuntimeError(f"RPC errors: {errors[:3]}")
        return [a["result"] for a in answers]

    def call(self, method: str, *params: object) -> object:
        return self.batch([(method, list(params))])[0]


def build_backlog(rpc: Rpc, exchange: str, token: str, deposits: int) -> None:
    """`deposits` Deposited events, TXS_PER_BLOCK per block, from anvil's unlocked trader accounts."""
    traders = [Account.from_key(DEV_KEYS[i]).address for i in TRADER_INDICES]
    approve = calldata("approve(address,uint256)", ["address", "uint256"], [exchange, 2**255])
    rpc.batch([("eth_sendTransaction", [{"from": t, "to": token, "data": approve}]) for t in traders])
    rpc.call("evm_setAutomine", False)
    deposit = calldata("depositToken(address,uint256)", ["address", "uint256"], [token, 1])
    # Explicit nonces: within one batch anvil would give a sender's transactions the same one.
    nonces = [int(str(n), 16) for n in rpc.batch([("eth_getTransactionCount", [t, "pending"]) for t in traders])]
    sent = 0
    while sent < deposits:
        count = min(TXS_PER_BLOCK, deposits - sent)
        calls: list[tuple[str, list[object]]] = []
        for i in range(count):
            k = (sent + i) % len(traders)
            tx = {"from": traders[k], "to": exchange, "data": deposit, "gas": hex(120_000), "nonce": hex(nonces[k])}
            nonces[k] += 1
            calls.append(("eth_sendTransaction", [tx]))
        rpc.batch(calls)
        rpc.call("evm_mine")
        sent += count
        if sent % 2000 == 0 or sent == deposits:
            progress("bench-indexer", f"backlog {sent}/{deposits} deposits")
    rpc.call("evm_setAutomine", True)


def _database_url(tmp: Path) -> str:
    configured = os.environ.get("HDEX_DATABASE_URL", "")
    if not configured.startswith("postgres"):
        return f"sqlite:///{tmp / 'bench.db'}"
    url = make_url(configured.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"hdex_bench_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deposits", type=int, default=10_000)
    parser.add_argument("--lag-samples", type=int, default=20)
    args = parser.parse_args()

    ensure_compiled()
    with tempfile.TemporaryDirectory() as tmp, AnvilNode(port=free_port()) as node:
        database_url = _database_url(Path(tmp))
        migrate.upgrade(database_url)
        container = bootstrap(
            load_settings(_env_file=None, database_url=database_url, rpc_url=node.url, confirmations=0)
        )
        stack = deploy_dev_stack(make_web3(node.url))
        with container.uow() as uow:
            record_deployments(uow.session, 31337, stack.contracts, stack.block_number)
            uow.commit()
        exchange, token = stack.contracts["Exchange"], stack.contracts["USDC"]
        rpc = Rpc(node.url)
        build_backlog(rpc, exchange, token, args.deposits)

        follower = build_follower(container)
        started = time.perf_counter()
        result = follower.poll_once()
        seconds = time.perf_counter() - started
        progress("bench-indexer", f"indexed {result.new_events} events in {seconds:.2f} s")
        with container.uow() as uow:
            credited = sum(v for (a, t), v in ledger.balances(uow.session).items() if t == token and a != "external")
        assert credited == args.deposits, f"credited {credited}, expected {args.deposits}"

        lags = measure_credit_lag(container, rpc, exchange, token, args.lag_samples)
        print(
            json.dumps(
                {
                    "events": result.new_events,
                    "events_per_s": round(result.new_events / seconds),
                    "index_seconds": round(seconds, 3),
                    "credit_lag_ms_p50": round(statistics.median(lags), 1),
                    "credit_lag_ms_max": round(max(lags), 1),
                    "poll_interval_ms": 50,
                    "confirmations": 0,
                    "database": make_url(database_url).get_backend_name(),
                }
            )
        )
        container.db_engine.dispose()


def measure_credit_lag(container: object, rpc: Rpc, exchange: str, token: str, samples: int) -> list[float]:
    """Milliseconds from a deposit's block being mined to its credit in the ledger (live loop)."""
    from backend.bootstrap import Container

    assert isinstance(container, Container)
    loop = IndexerLoop(container, build_follower(container), interval_s=0.05)
    stop = threading.Event()
    thread = loop.start_thread(stop)
    trader = Account.from_key(DEV_KEYS[TRADER_INDICES[0]]).address
    deposit = calldata("depositToken(address,uint256)", ["address", "uint256"], [token, 1])
    lags = []
    try:
        for _ in range(samples):
            with container.uow() as uow:
                before = ledger.balances(uow.session, trader).get((trader, token), 0)
            rpc.call("eth_sendTransaction", {"from": trader, "to": exchange, "data": deposit})
            mined = time.perf_counter()
            while True:
                with container.uow() as uow:
                    if ledger.balances(uow.session, trader).get((trader, token), 0) > before:
                        break
                time.sleep(0.002)
            lags.append((time.perf_counter() - mined) * 1000)
    finally:
        stop.set()
        thread.join(timeout=10)
    return lags


if __name__ == "__main__":
    main()
