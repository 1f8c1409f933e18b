"""Example taker bot: takes liquidity at the best price, buying and selling in turn, at a steady pace.

Plain Python in the application venv (not brownie):

    .venv/bin/python scripts/taker_bot.py --url http://127.0.0.1:8000 [--market WETH-USDC] [--key 0x...]
        [--size 0.05] [--interval 1] [--seconds N] [--deposit-base 5 --deposit-quote 15000 --rpc URL]

Each step it reads the ticker and sends an IOC order for `--size` at the best opposite price (it trades only
when the book has that side), alternating buy and sell so its inventory stays level. Without `--key` it uses
dev account 9. The deposit options first move that much of its own tokens into the Exchange, as the market
maker's do. A refused order prints one line on stderr and the bot carries on. It stops after `--seconds`
(0: on Ctrl-C or SIGTERM) and prints one JSON line: orders sent, filled base units, refusals.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient, HdexClientError, RateLimitedError, units


class Stopped(Exception):
    """SIGINT or SIGTERM: leave the loop and report."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def take(client: HdexClient, market: str, side: str, size: int) -> int:
    """One IOC order at the best opposite price; the base units it filled (0 with no such price)."""
    best = client.ticker(market)["bestAsk" if side == "buy" else "bestBid"]
    if best is None:
        return 0
    placed = client.place_order(market, side, size, int(best), time_in_force="IOC")
    return int(placed["filled"])


def main() -> None:
    parser = argparse.ArgumentParser(description="Take liquidity on an HDEX market, buying and selling in turn.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--market", default="WETH-USDC")
    parser.add_argument("--key", default=DEV_KEYS[9], help="private key (default: dev account 9)")
    parser.add_argument("--size", default="0.05", help="base amount per order")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between orders")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: run until Ctrl-C)")
    parser.add_argument("--deposit-base", default=None, help="deposit this much base token first")
    parser.add_argument("--deposit-quote", default=None, help="deposit this much quote token first")
    parser.add_argument("--rpc", default="http://127.0.0.1:8545", help="chain RPC for the deposits")
    args = parser.parse_args()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    report = {"orders": 0, "filled": 0, "refused": 0}
    with HdexClient(args.url, args.key, rpc_url=args.rpc) as client:
        try:
            market = client.market(args.market)
            for token, decimals, amount in (
                (market.base_token, market.base_decimals, args.deposit_base),
                (market.quote_token, market.quote_decimals, args.deposit_quote),
            ):
                if amount is not None:
                    client.wait_for_deposit(client.deposit(token, units(amount, decimals)))
            size = market.round_amount(units(args.size, market.base_decimals))
            deadline = time.monotonic() + args.seconds if args.seconds else None
            side = "buy"
            while deadline is None or time.monotonic() < deadline:
                try:
                    report["filled"] += take(client, market.name, side, size)
                    report["orders"] += 1
                    side = "sell" if side == "buy" else "buy"
                except RateLimitedError as exc:
                    time.sleep(exc.retry_after)
                except HdexClientError as exc:
                    report["refused"] += 1
                    print(f"taker_bot: {side} refused: {exc}", file=sys.stderr, flush=True)
                time.sleep(args.interval)
        except Stopped:
            pass
        except (HdexClientError, httpx.HTTPError, OSError) as exc:
            raise SystemExit(f"taker_bot: {exc}") from None
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
