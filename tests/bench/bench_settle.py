"""Settlement benchmark: trades settled per second end to end on anvil, and gas per trade.

Run: `make bench-settle` (or `.venv/bin/python tests/bench/bench_settle.py --trades 200`).
Real parts: anvil, the deployed contracts, the API with its engine host (orders are signed and
matched through it), the indexer (deposits), and the relayer (screening, batching, simulation,
signing, receipts). Timed: from the first relayer tick to the last fill settled. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchkit import calldata, free_port, progress  # beside this script
from eth_account import Account
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.api.app import create_app
from backend.bootstrap import bootstrap
from backend.chain.compiler import ensure_compiled
from backend.chain.deploy import deploy_dev_stack
from backend.chain.deployments import record_deployments
from backend.chain.devkeys import DEV_KEYS, TRADER_INDICES
from backend.chain.jsonrpc import JsonRpcClient
from backend.chain.node import AnvilNode
from backend.chain.rpc import make_web3
from backend.db import migrate
from backend.db.models import Fill, OperatorTx
from backend.engine import MarketState
from backend.settings import load_settings
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market
from indexer.runner import IndexerLoop, build_follower
from relayer.runner import relayer_for

PRICE = 3_000 * 10**6
LOT = 10**16  # 0.01 WETH per trade


def _fund(rpc: JsonRpcClient, exchange: str, weth: str, usdc: str) -> None:
    """Every dev trader deposits WETH and USDC (anvil's unlocked accounts: no signing needed)."""
    for index in TRADER_INDICES:
        trader = Account.from_key(DEV_KEYS[index]).address
        for token, amount in ((weth, 500 * 10**18), (usdc, 1_000_000 * 10**6)):
            approve = calldata("approve(address,uint256)", ["address", "uint256"], [exchange, amount])
            deposit = calldata("depositToken(address,uint256)", ["address", "uint256"], [token, amount])
            rpc.call("eth_sendTransaction", [{"from": trader, "to": token, "data": approve}])
            rpc.call("eth_sendTransaction", [{"from": trader, "to": exchange, "data": deposit, "gas": hex(200_000)}])
    rpc.call("anvil_mine", ["0x2"])


def _body(domain: Domain, key_index: int, order: Order) -> dict[str, Any]:
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), order_digest(domain, order))
    fields = {
        k: v if isinstance(v, str) or k in ("side", "maxFeeRate", "flags") else str(v)
        for k, v in order._asdict().items()
    }
    return {"order": fields, "signature": "0x" + signature.hex()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trades", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=20)
    args = parser.parse_args()
    ensure_compiled()
    with tempfile.TemporaryDirectory() as tmp, AnvilNode(port=free_port()) as node:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(database_url)
        container = bootstrap(
            load_settings(
                _env_file=None, database_url=database_url, rpc_url=node.url, data_dir=Path(tmp), redis_url=None,
                confirmations=1, settlement_batch_size=args.batch_size, settlement_max_wait_s=0,
                trading_sync_interval=60.0, engine_fsync=False,
                rate_limit_address="1000000/second", rate_limit_ip="1000000/second",
            )
        )  # fmt: skip
        stack = deploy_dev_stack(make_web3(node.url))
        exchange, weth, usdc = stack.contracts["Exchange"], stack.contracts["WETH"], stack.contracts["USDC"]
        with container.uow() as uow:
            record_deployments(uow.session, 31337, stack.contracts, stack.block_number)
            add_market(uow.session, Market("WETH-USDC", weth, usdc, "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6,
                                           1_000, 2_000, MarketState.OPEN))  # fmt: skip
            uow.commit()
        rpc = JsonRpcClient(node.url)
        _fund(rpc, exchange, weth, usdc)
        IndexerLoop(container, build_follower(container)).poll()
        domain = Domain(31337, exchange)
        with TestClient(create_app(container)) as client:
            client.portal.call(client.app.state.trading.sync_once)  # type: ignore[attr-defined]
            started = time.perf_counter()
            traders = list(TRADER_INDICES)
            for i in range(args.trades):
                seller, buyer = traders[i % len(traders)], traders[(i + 1) % len(traders)]
                for key_index, side in ((seller, 1), (buyer, 0)):
                    order = Order(Account.from_key(DEV_KEYS[key_index]).address, weth, usdc, side, LOT, PRICE, 0,
                                  3_000, time.time_ns(), int(time.time()) + 3600, 0)  # fmt: skip
                    response = client.post("/v1/orders", json=_body(domain, key_index, order))
                    assert response.status_code == 201, response.text
            intake_s = time.perf_counter() - started
            progress("bench-settle", f"{args.trades} trades matched through the API in {intake_s:.2f} s")

            relayer = relayer_for(container)
            started = time.perf_counter()
            while True:
                relayer.tick()
                with container.session_factory() as session:
                    waiting = session.scalar(select(func.count()).select_from(Fill).where(Fill.status != "settled"))
                if not waiting:
                    break
            settle_s = time.perf_counter() - started
            with container.session_factory() as session:
                batches = session.scalars(select(OperatorTx).where(OperatorTx.kind == "settle")).all()
                hashes = [b.mined_hash for b in batches]
            gas = sum(int(rpc.call("eth_getTransactionReceipt", [h])["gasUsed"], 16) for h in hashes)
        print(
            json.dumps(
                {
                    "trades": args.trades,
                    "batch_size": args.batch_size,
                    "batches": len(hashes),
                    "trades_settled_per_s": round(args.trades / settle_s, 1),
                    "settle_seconds": round(settle_s, 3),
                    "gas_per_trade": gas // args.trades,
                    "order_intake_seconds": round(intake_s, 3),
                    "chain": "anvil automine",
                    "database": "sqlite",
                }
            )
        )
        container.db_engine.dispose()


if __name__ == "__main__":
    main()
