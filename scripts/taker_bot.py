"""Example taker bot: takes liquidity at the best price, buying and selling in turn, at a steady pace.

Plain Python in the application venv (not brownie):

    .venv/bin/python scripts/taker_bot.py --url http://127.0.0.1:8000 [--market WETH-USDC] [--key 0x...]
        [--size 0.05] [--interval 1] [--seconds N] [--deposit-base 5 --deposit-quote 15000 --rpc URL]

Each step it reads the ticker and sends an IOC order for `--size` at the best opposite price (it trades only
when the book has that side), alternating buy and sell so its inventory stays level. Without `--key` it uses
dev account 9. The deposit options first move that much of its own tokens into the Exchange, as the market
maker's do. A refused order prints one line on stderr and the bot carries on; so does a ticker it cannot read (no
order is signed that step, and none is counted as refused). An order whose outcome stayed unknown (no answer, the
engine too slow) may have filled: the bot sends it again as signed (the exchange takes it at most once) or reads it
back until it knows, counts its fill, and signs no new order meanwhile. It stops after
`--seconds` (0: on Ctrl-C or SIGTERM) and prints one JSON line: orders placed, filled base units, refusals, and
orders whose outcome was still unknown when it stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot_launch

from backend.client import HdexClient, HdexClientError, OrderOutcomeUnknown, RateLimitedError, units


def take(client: HdexClient, market: str, side: str, size: int, unknown: OrderOutcomeUnknown | None) -> int | None:
    """The base units filled by one IOC order at the best opposite price (None with no such price, or when the
    ticker cannot be read), or, while an order's outcome is `unknown`, by that order: sent again as signed, or read
    back (never a second order)."""
    if unknown is not None:
        return int(client.resend(unknown)["filled"])
    try:
        best = client.ticker(market)["bestAsk" if side == "buy" else "bestBid"]
    except RateLimitedError:
        raise  # waited out by the loop
    except HdexClientError as exc:  # no price read, so no order signed: nothing the exchange refused
        print(f"taker_bot: cannot read the best price ({exc}): no order this step", file=sys.stderr, flush=True)
        return None
    if best is None:
        return None
    return int(client.place_order(market, side, size, int(best), time_in_force="IOC")["filled"])


def main() -> None:
    parser = argparse.ArgumentParser(description="Take liquidity on an HDEX market, buying and selling in turn.")
    bot_launch.add_wallet_arguments(parser, dev_account=9)
    parser.add_argument("--size", default="0.05", help="base amount per order")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between orders")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: run until Ctrl-C)")
    bot_launch.add_funding_arguments(parser)
    args = parser.parse_args()
    bot_launch.stop_on_signals()
    report = {"orders": 0, "filled": 0, "refused": 0, "unknown": 0}
    unknown: OrderOutcomeUnknown | None = None  # the order whose outcome is to be learned before any new one
    with HdexClient(args.url, args.key, rpc_url=args.rpc) as client, bot_launch.failing_in_one_line("taker_bot"):
        try:
            market = client.market(args.market)
            bot_launch.fund_vault(client, market, args.deposit_base, args.deposit_quote)
            size = market.round_amount(units(args.size, market.base_decimals))
            deadline = time.monotonic() + args.seconds if args.seconds else None
            side = "buy"
            while deadline is None or time.monotonic() < deadline:
                try:
                    filled, unknown = take(client, market.name, side, size, unknown), None
                    if filled is not None:
                        report["filled"] += filled
                        report["orders"] += 1
                        side = "sell" if side == "buy" else "buy"
                except OrderOutcomeUnknown as exc:  # before HdexClientError: it may have filled
                    unknown = exc
                    print(f"taker_bot: {side} order {exc.order_hash}: outcome unknown", file=sys.stderr, flush=True)
                except RateLimitedError as exc:
                    time.sleep(exc.retry_after)
                except HdexClientError as exc:
                    unknown = None  # a definite refusal, of a new order or of the unknown one's resend: not placed
                    report["refused"] += 1
                    print(f"taker_bot: {side} refused: {exc}", file=sys.stderr, flush=True)
                time.sleep(args.interval)
        except bot_launch.Stopped:
            pass
    report["unknown"] = int(unknown is not None)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
