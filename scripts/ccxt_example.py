"""Trading on HDEX through CCXT: markets, the book, a balance, then a resting bid placed, listed and cancelled.

Plain Python in the application venv, against a running exchange (`make run` prints its address):

    .venv/bin/python scripts/ccxt_example.py --url http://127.0.0.1:8000 [--symbol WETH/USDC] [--key 0x...]

Without `--key` it trades as dev account 9 of the dev chain. The bid sits 10% under the best bid (or the last
price), so it does not trade; it is cancelled before the script ends, whatever happens in between. A refusal
prints its ccxt error class and HDEX's message on one line and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import ccxt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import hdex


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--symbol", default="WETH/USDC")
    parser.add_argument("--key", default=DEV_KEYS[9], help="the wallet's private key (default: dev account 9)")
    args = parser.parse_args()
    exchange = hdex({"privateKey": args.key, "urls": {"api": {"rest": args.url}}})
    try:
        market = exchange.load_markets()[args.symbol]
        precision = market["precision"]
        print(f"{market['symbol']}: price step {precision['price']}, amount step {precision['amount']}")
        ticker = exchange.fetch_ticker(args.symbol)
        print(f"last {ticker['last']}  bid {ticker['bid']}  ask {ticker['ask']}  24h volume {ticker['baseVolume']}")
        balance = exchange.fetch_balance()
        print("free:", {code: balance[code]["free"] for code in (market["base"], market["quote"]) if code in balance})
        reference = ticker["bid"] or ticker["last"] or 1
        price = float(exchange.price_to_precision(args.symbol, reference * 0.9))
        amount = max(market["limits"]["amount"]["min"], market["limits"]["cost"]["min"] * 2 / price)
        order = exchange.create_order(
            args.symbol, "limit", "buy", exchange.amount_to_precision(args.symbol, amount), price
        )
        try:
            print(f"placed {order['id']}: buy {order['amount']} at {order['price']}, {order['status']}")
            print("open:", [o["id"] for o in exchange.fetch_open_orders(args.symbol)])
        finally:
            print("cancelled:", exchange.cancel_order(order["id"], args.symbol)["status"])
    except ccxt.BaseError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
