"""Example market-making bot: quotes both sides of a market around a mid price and keeps the quotes fresh.

Plain Python in the application venv (not brownie):

    .venv/bin/python scripts/market_maker.py --url http://127.0.0.1:8000 [--market WETH-USDC]
        [--key 0x...] [--mid 3000] [--spread-bps 20] [--levels 3] [--size 0.1] [--refresh 5] [--rounds N]
        [--deposit-base 10 --deposit-quote 30000 --rpc http://127.0.0.1:8545]

Each round it arms the exchange's dead-man switch (cancel-after, 3 x `--refresh`, at least 5 s), cancels its open
orders (one signed bulk cancel) and places `levels` post-only bids and asks, `spread-bps` apart, around the mid
(the last trade price if there is one, else `--mid`), in one request (`place_orders`, 20 quotes a request).
Should the bot hang or die unseen, the exchange cancels its quotes once the switch runs out.
Without `--key` it uses dev account 8 (minted demo tokens on the dev chain); `--deposit-base` and
`--deposit-quote` first move that much from the wallet into the Exchange vault (approve +
depositToken, signed locally) and wait until the indexer has credited it. Errors
from the API (and network faults, which the client raises as HdexClientError too) are printed as one line and
the bot carries on with the next round; a quote whose outcome stayed unknown is cancelled by the next round's
bulk cancel if it stands.

However it stops (its rounds done, an exception, Ctrl-C, SIGTERM from a supervisor), it cancels its
quotes on the way out, so no stale order is left resting at an old price: the bulk cancel is sent again (newly
signed, after a growing pause or the answer's Retry-After) until `open_orders` reads none, for up to
`SHUTDOWN_S`. SIGINT and SIGTERM exit 0 once the quotes are cancelled; a failure (also quotes still standing
then: the dead-man switch cancels them) exits non-zero with one line on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot_launch

from backend.client import ClientMarket, HdexClient, HdexClientError, RateLimitedError, price_units, units
from backend.client.errors import resend_delay
from backend.trading.rules.cancel_after import MAX_TIMEOUT_MS, MIN_TIMEOUT_MS
from backend.trading.rules.orders import MAX_BATCH_ORDERS

DEAD_MAN_ROUNDS = 3  # the switch cancels the quotes after this many refresh intervals without a round
SHUTDOWN_S = 30.0  # how long the cancel on the way out is tried
SHUTDOWN_BACKOFF_S = 0.5  # before its second try; doubled before each next one


def quotes(market: ClientMarket, mid: int, spread_bps: int, levels: int, size: int) -> list[tuple[str, int]]:
    """(side, price) of every quote, on the tick grid, never crossing the mid."""
    out = []
    for level in range(1, levels + 1):
        offset = max(market.tick_size, mid * spread_bps * level // 20_000)
        out.append(("buy", market.round_price(mid - offset)))
        out.append(("sell", market.round_price(mid + offset) + market.tick_size))
    return [(side, price) for side, price in out if price > 0 and size * price // 10**18 >= market.min_notional]


def dead_man_ms(refresh_s: float) -> int:
    """The cancel-after timeout armed each round: DEAD_MAN_ROUNDS refresh intervals, within the exchange's range."""
    return min(MAX_TIMEOUT_MS, max(MIN_TIMEOUT_MS, int(DEAD_MAN_ROUNDS * refresh_s * 1000)))


def run_round(client: HdexClient, market: ClientMarket, mid: int, args: argparse.Namespace) -> int:
    """Arm the dead-man switch, cancel the previous quotes and place fresh ones; returns how many were placed."""
    client.cancel_after(dead_man_ms(args.refresh), market.name)
    client.cancel_all(market.name)
    size = market.round_amount(units(args.size, market.base_decimals))
    expiry = int(time.time()) + 600
    sides = quotes(market, mid, args.spread_bps, args.levels, size)
    placed = 0
    for start in range(0, len(sides), MAX_BATCH_ORDERS):
        batch = sides[start : start + MAX_BATCH_ORDERS]
        orders = [{"market": market.name, "side": side, "amount": size, "price": price, "post_only": True,
                   "expiry": expiry} for side, price in batch]  # fmt: skip
        try:
            outcomes = client.place_orders(orders)
        except RateLimitedError as exc:  # the batch itself, past the IP's limit: the next round quotes again
            time.sleep(exc.retry_after)
            continue
        for (side, price), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, HdexClientError):
                print(f"market_maker: {side} at {price} refused: {outcome}", file=sys.stderr)
            else:
                placed += 1
    return placed


def cancel_quotes(client: HdexClient, market: str, timeout_s: float = SHUTDOWN_S) -> None:
    """Cancel every open order of the bot in `market` and read that none is left, trying again (a busy engine,
    a rate limit, no answer) for up to `timeout_s`; a second signal cannot interrupt it."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    deadline = time.monotonic() + timeout_s
    cancelled, attempt = 0, 0
    while True:
        attempt += 1
        try:
            cancelled += len(client.cancel_all(market))
            if not client.open_orders(market):
                print(f"market_maker: cancelled {cancelled} quotes", flush=True)
                return
            failure = None  # a quote placed while the cancel was on its way: cancel again
        except HdexClientError as exc:
            failure = exc
            print(f"market_maker: cancelling the quotes failed ({exc}): trying again", file=sys.stderr, flush=True)
        if time.monotonic() >= deadline:
            raise HdexClientError(
                0,
                "QUOTES_LEFT",
                f"quotes may still stand after {timeout_s} s of cancelling: the dead-man switch "
                "cancels them when it runs out",
            ) from failure
        time.sleep(SHUTDOWN_BACKOFF_S if failure is None else resend_delay(attempt, failure, SHUTDOWN_BACKOFF_S))


def quote(client: HdexClient, market: ClientMarket, args: argparse.Namespace) -> None:
    """Quote round after round until `--rounds` is reached (or forever)."""
    fallback = price_units(Decimal(args.mid), market.base_decimals, market.quote_decimals)
    rounds = 0
    while args.rounds == 0 or rounds < args.rounds:
        try:  # the ticker too: a network fault or a balancer's error page costs a round, not the bot
            last = client.ticker(market.name).get("last")
            mid = int(last) if last else fallback
            placed = run_round(client, market, mid, args)
            print(f"market_maker: round {rounds + 1}: {placed} quotes around {mid}", flush=True)
        except HdexClientError as exc:
            print(f"market_maker: round refused: {exc}", file=sys.stderr)
        rounds += 1
        if args.rounds == 0 or rounds < args.rounds:
            time.sleep(args.refresh)


def main() -> None:
    parser = argparse.ArgumentParser(description="Quote both sides of an HDEX market.")
    bot_launch.add_wallet_arguments(parser, dev_account=8)
    parser.add_argument("--mid", default="3000", help="mid price before the first trade (quote per base)")
    parser.add_argument("--spread-bps", type=int, default=20)
    parser.add_argument("--levels", type=int, default=3)
    parser.add_argument("--size", default="0.1", help="base amount per quote")
    parser.add_argument("--refresh", type=float, default=5.0, help="seconds between rounds")
    parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (0: run until Ctrl-C)")
    bot_launch.add_funding_arguments(parser)
    args = parser.parse_args()
    bot_launch.stop_on_signals()
    with HdexClient(args.url, args.key, rpc_url=args.rpc) as client, bot_launch.failing_in_one_line("market_maker"):
        try:
            market = client.market(args.market)
            bot_launch.fund_vault(client, market, args.deposit_base, args.deposit_quote)
            try:
                quote(client, market, args)
            finally:
                cancel_quotes(client, market.name)
        except bot_launch.Stopped as stop:
            print(f"market_maker: stopped by {stop}", flush=True)


if __name__ == "__main__":
    main()
