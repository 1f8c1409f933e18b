"""Example market-making bot: quotes both sides of a market around a mid price and keeps the quotes fresh.

Plain Python in the application venv (not brownie):

    .venv/bin/python scripts/market_maker.py --url http://127.0.0.1:8000 [--market WETH-USDC]
        [--key 0x...] [--mid 3000] [--spread-bps 20] [--levels 3] [--size 0.1] [--refresh 5] [--rounds N]
        [--deposit-base 10 --deposit-quote 30000 --rpc http://127.0.0.1:8545]

Each round it cancels its open orders (one signed bulk cancel) and places `levels` post-only bids
and asks, `spread-bps` apart, around the mid: the last trade price if there is one, else `--mid`.
Without `--key` it uses dev account 8 (minted demo tokens on the dev chain); `--deposit-base` and
`--deposit-quote` first move that much from the wallet into the Exchange vault (approve +
depositToken, signed locally) and wait until the indexer has credited it. Errors
from the API are printed as one line and the bot carries on with the next round; Ctrl-C stops it
after cancelling its orders.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.chain.devkeys import DEV_KEYS
from backend.client import ClientMarket, HdexClient, HdexClientError, RateLimitedError, price_units, units


def quotes(market: ClientMarket, mid: int, spread_bps: int, levels: int, size: int) -> list[tuple[str, int]]:
    """(side, price) of every quote, on the tick grid, never crossing the mid."""
    out = []
    for level in range(1, levels + 1):
        offset = max(market.tick_size, mid * spread_bps * level // 20_000)
        out.append(("buy", market.round_price(mid - offset)))
        out.append(("sell", market.round_price(mid + offset) + market.tick_size))
    return [(side, price) for side, price in out if price > 0 and size * price // 10**18 >= market.min_notional]


def run_round(client: HdexClient, market: ClientMarket, mid: int, args: argparse.Namespace) -> int:
    """Cancel the previous quotes and place fresh ones; returns how many were placed."""
    client.cancel_all(market.name)
    size = market.round_amount(units(args.size, market.base_decimals))
    placed = 0
    for side, price in quotes(market, mid, args.spread_bps, args.levels, size):
        try:
            client.place_order(market.name, side, size, price, post_only=True, expiry=int(time.time()) + 600)
            placed += 1
        except RateLimitedError as exc:
            time.sleep(exc.retry_after)
        except HdexClientError as exc:
            print(f"market_maker: {side} at {price} refused: {exc}", file=sys.stderr)
    return placed


ERC20_APPROVE = [{"name": "approve", "type": "function", "stateMutability": "nonpayable",
                  "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
                  "outputs": [{"name": "", "type": "bool"}]}]  # fmt: skip
EXCHANGE_DEPOSIT = [{"name": "depositToken", "type": "function", "stateMutability": "nonpayable",
                     "inputs": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}],
                     "outputs": []}]  # fmt: skip


def deposit(client: HdexClient, rpc_url: str, key: str, token: str, amount: int) -> None:
    """Approve and deposit `amount` of `token` into the Exchange vault, signed with `key`."""
    from eth_account import Account
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(rpc_url))
    account = Account.from_key(key)
    exchange = client.signer.domain.verifying_contract
    calls = [
        w3.eth.contract(address=Web3.to_checksum_address(token), abi=ERC20_APPROVE).functions.approve(exchange, amount),
        w3.eth.contract(address=Web3.to_checksum_address(exchange), abi=EXCHANGE_DEPOSIT).functions.depositToken(
            token, amount
        ),
    ]
    for call in calls:
        tx = call.build_transaction(
            {"from": account.address, "nonce": w3.eth.get_transaction_count(account.address), "gas": 200_000}
        )
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction), timeout=60
        )
        if receipt["status"] != 1:
            raise SystemExit(f"market_maker: deposit transaction failed: {receipt['transactionHash'].hex()}")


def wait_until_available(client: HdexClient, token: str, amount: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while client.balances().get(token, {}).get("available", 0) < amount:
        if time.monotonic() > deadline:
            raise SystemExit("market_maker: the deposit was not credited in time (is the indexer running?)")
        time.sleep(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Quote both sides of an HDEX market.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--market", default="WETH-USDC")
    parser.add_argument("--key", default=DEV_KEYS[8], help="private key (default: dev account 8)")
    parser.add_argument("--mid", default="3000", help="mid price before the first trade (quote per base)")
    parser.add_argument("--spread-bps", type=int, default=20)
    parser.add_argument("--levels", type=int, default=3)
    parser.add_argument("--size", default="0.1", help="base amount per quote")
    parser.add_argument("--refresh", type=float, default=5.0, help="seconds between rounds")
    parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (0: run until Ctrl-C)")
    parser.add_argument("--deposit-base", default=None, help="deposit this much base token first")
    parser.add_argument("--deposit-quote", default=None, help="deposit this much quote token first")
    parser.add_argument("--rpc", default="http://127.0.0.1:8545", help="chain RPC for the deposits")
    args = parser.parse_args()
    with HdexClient(args.url, args.key) as client:
        market = client.market(args.market)
        for token, decimals, amount in (
            (market.base_token, market.base_decimals, args.deposit_base),
            (market.quote_token, market.quote_decimals, args.deposit_quote),
        ):
            if amount is not None:
                deposit(client, args.rpc, args.key, token, units(amount, decimals))
                wait_until_available(client, token, units(amount, decimals))
        fallback = price_units(Decimal(args.mid), market.base_decimals, market.quote_decimals)
        rounds = 0
        try:
            while args.rounds == 0 or rounds < args.rounds:
                last = client.ticker(market.name).get("last")
                mid = int(last) if last else fallback
                try:
                    placed = run_round(client, market, mid, args)
                    print(f"market_maker: round {rounds + 1}: {placed} quotes around {mid}")
                except HdexClientError as exc:
                    print(f"market_maker: round refused: {exc}", file=sys.stderr)
                rounds += 1
                if args.rounds == 0 or rounds < args.rounds:
                    time.sleep(args.refresh)
        except KeyboardInterrupt:
            client.cancel_all(market.name)


if __name__ == "__main__":
    main()
