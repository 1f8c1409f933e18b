"""dApp benchmark: what a browser downloads, and how soon the trading page shows the order book.

Run: `make bench-dapp` (`make setup` builds `dapp/dist` first). Sizes: the gzip-compressed bytes of
every JavaScript and CSS file in `dapp/dist` (level 9, as a server would send them). Time: `hdex up`'s
stack on free ports (anvil, contracts, API serving `dapp/dist`, indexer, relayer), two dev wallets
quoting the dev market through the bot client, then Debian's Chromium opening `/` in a fresh context
(cold cache) on loopback: milliseconds from navigation start to the first level drawn in the "Order
book" region; the median of `--loads`. Targets (issue 12): under 350 KB gzip, first book under 1.5 s.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path

from benchkit import progress  # beside this script

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient
from backend.paths import DAPP_DIST, PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the browser tests' stack and kit, shared rather than copied
from tests.browser.browser_kit import launch_chromium, wallet_context
from tests.browser.stack import Stack, running_stack

MARKET = "WETH-USDC"
PRICE = 3_000 * 10**6  # quote base units per 1e18 base units
WETH = 10**18


def gzip_bytes(suffix: str) -> int:
    return sum(len(gzip.compress(path.read_bytes(), 9)) for path in DAPP_DIST.rglob(f"*{suffix}"))


def quote_both_sides(stack: Stack) -> None:
    """Dev wallets 5 and 6 deposit and rest a bid and an ask, so the book has levels to draw."""
    for key_index, token, amount, side, price in (
        (5, "USDC", 10_000 * 10**6, "buy", PRICE - 10 * 10**6),
        (6, "WETH", 2 * WETH, "sell", PRICE + 10 * 10**6),
    ):
        with HdexClient(stack.url, DEV_KEYS[key_index], rpc_url=stack.rpc_url) as client:
            client.wait_for_deposit(client.deposit(stack.contracts[token], amount), timeout=60, poll_s=0.2)
            client.place_order(MARKET, side, WETH, price)


def first_book_ms(stack: Stack, loads: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as driver:
        browser = launch_chromium(driver)
        try:
            for _ in range(loads):
                context = wallet_context(browser, stack.url, stack.rpc_url, stack.chain_id, account_index=5)
                page = context.new_page()
                page.goto("/", wait_until="commit")
                page.get_by_role("region", name="Order book").get_by_role("button").first.wait_for(timeout=30_000)
                timings.append(float(page.evaluate("performance.now()")))  # ms since navigation start
                context.close()
        finally:
            browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="cold page loads timed (the median is reported)")
    args = parser.parse_args()
    sizes = {"js_gzip_bytes": gzip_bytes(".js"), "css_gzip_bytes": gzip_bytes(".css")}
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp) / "var") as stack:
        progress("bench-dapp", f"stack up at {stack.url}; quoting the book")
        quote_both_sides(stack)
        progress("bench-dapp", f"timing {args.loads} cold loads in Chromium")
        timings = first_book_ms(stack, args.loads)
    result = {
        **sizes,
        "total_gzip_bytes": sizes["js_gzip_bytes"] + sizes["css_gzip_bytes"],
        "first_book_ms": round(statistics.median(timings)),
        "first_book_ms_max": round(max(timings)),
        "loads": args.loads,
        "browser": "chromium (Debian), loopback",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
