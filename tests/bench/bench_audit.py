"""Audit benchmark: `hdex audit`'s work over 10,000 settled trades on anvil, in trades verified per second.

Run: `make bench-audit` (or `.venv/bin/python tests/bench/bench_audit.py --trades 2000`).
Set-up (untimed): anvil, the dev stack, deposits, and the trades signed and settled straight by the operator
key in large batches (each trade between two fresh orders, so every signature is recovered). Timed: the audit
itself (logs, settle calldata, signatures, limits, fills, fees, balances against balanceOf, solvency) and
writing its JSON and HTML report. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the test helpers live in tests/integration

from benchkit import free_port, progress  # beside this script
from eth_account import Account

from auditor.report import write_report
from auditor.run import AuditRequest, run_audit
from backend.chain.compiler import ensure_compiled
from backend.chain.deploy import deploy_dev_stack
from backend.chain.devkeys import DEV_KEYS, TRADER_INDICES
from backend.chain.node import AnvilNode
from backend.chain.rpc import make_web3
from backend.signing import Domain
from tests.integration.audit.settlement import Fill, quote_for, settle, sign_order
from tests.integration.devchain import DevChain

PRICE = 3_000 * 10**6
LOT = 10**16  # 0.01 WETH per trade
MAKER_FEE_RATE, TAKER_FEE_RATE = 1_000, 2_000  # the dev stack's schedule, in millionths


def _settle_trades(chain: DevChain, trades: int, batch_size: int) -> int:
    """Signs and settles `trades` WETH/USDC trades; returns the number of batches."""
    traders = list(TRADER_INDICES)
    for index in traders:
        chain.deposit(index, "WETH", 500 * 10**18)
        chain.deposit(index, "USDC", 1_000_000 * 10**6)
    domain = Domain(chain.w3.eth.chain_id, chain.exchange.address)
    weth, usdc = chain.token("WETH").address, chain.token("USDC").address
    expiry = int(chain.w3.eth.get_block("latest")["timestamp"]) + 7 * 86_400
    quote = quote_for(LOT, PRICE)

    def order(key_index: int, side: int, nonce: int) -> dict[str, object]:
        maker = Account.from_key(DEV_KEYS[key_index]).address
        return {"maker": maker, "baseToken": weth, "quoteToken": usdc, "side": side, "baseAmount": LOT,
                "limitPrice": PRICE, "triggerPrice": 0, "maxFeeRate": 3_000, "nonce": nonce, "expiry": expiry,
                "flags": 0}  # fmt: skip

    batches = 0
    for start in range(0, trades, batch_size):
        fills = []
        for i in range(start, min(start + batch_size, trades)):
            seller, buyer = traders[i % len(traders)], traders[(i + 1) % len(traders)]
            maker = sign_order(domain, seller, order(seller, 1, i))
            taker = sign_order(domain, buyer, order(buyer, 0, i))
            fills.append(Fill(maker, taker, LOT, quote, quote * MAKER_FEE_RATE // 10**6, LOT * TAKER_FEE_RATE // 10**6))
        receipt = settle(chain, fills, gas=29_000_000)
        batches += 1
        assert len(receipt["logs"]) >= len(fills), "trades were skipped"
        progress("bench-audit", f"{min(start + batch_size, trades)} of {trades} trades settled")
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trades", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    ensure_compiled()
    with tempfile.TemporaryDirectory() as tmp, AnvilNode(port=free_port()) as node:
        chain = DevChain(node.url, deploy_dev_stack(make_web3(node.url)))
        started = time.perf_counter()
        batches = _settle_trades(chain, args.trades, args.batch_size)
        progress("bench-audit", f"set-up took {time.perf_counter() - started:.1f} s; auditing")
        started = time.perf_counter()
        result = run_audit(AuditRequest(node.url, chain.exchange.address, Path(tmp) / "report"))
        write_report(result, Path(tmp) / "report")
        seconds = time.perf_counter() - started
        verified = result.state.counts.get("trades_verified", 0)
        assert result.ok and verified == args.trades, [f.message for f in result.discrepancies[:5]]
        print(
            json.dumps(
                {
                    "trades": args.trades,
                    "batches": batches,
                    "events": result.state.counts.get("events", 0),
                    "signatures_recovered": result.state.counts.get("signatures_recovered", 0),
                    "audit_seconds": round(seconds, 3),
                    "trades_audited_per_s": round(verified / seconds, 1),
                    "discrepancies": len(result.discrepancies),
                    "chain": "anvil automine",
                }
            )
        )


if __name__ == "__main__":
    main()
