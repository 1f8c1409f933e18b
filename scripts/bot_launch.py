"""How the example bots (`market_maker.py`, `taker_bot.py`) start and stop: their wallet and funding options,
funding the Exchange vault from the wallet, stopping on SIGINT or SIGTERM, and failing in one line.

Not a script itself: the bots import it from this folder (on `sys.path` as the folder of the script run).
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import httpx

from backend.chain.devkeys import DEV_KEYS
from backend.client import ClientMarket, HdexClient, HdexClientError, units


class Stopped(Exception):
    """SIGINT or SIGTERM: unwinds the bot's loop (through its `finally`) to where it stops cleanly."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """From now on SIGINT (Ctrl-C) and SIGTERM (a supervisor) raise `Stopped` in the main thread."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)


def add_wallet_arguments(parser: argparse.ArgumentParser, dev_account: int) -> None:
    """--url, --market and --key (default: the private key of dev account `dev_account`)."""
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--market", default="WETH-USDC")
    parser.add_argument(
        "--key", default=DEV_KEYS[dev_account], help=f"private key (default: dev account {dev_account})"
    )


def add_funding_arguments(parser: argparse.ArgumentParser) -> None:
    """--deposit-base, --deposit-quote (human amounts, none by default) and the --rpc that sends them."""
    parser.add_argument("--deposit-base", default=None, help="deposit this much base token first")
    parser.add_argument("--deposit-quote", default=None, help="deposit this much quote token first")
    parser.add_argument("--rpc", default="http://127.0.0.1:8545", help="chain RPC for the deposits")


def fund_vault(client: HdexClient, market: ClientMarket, base: str | None, quote: str | None) -> None:
    """Deposit `base` and `quote` (human amounts of the market's tokens; None: nothing) from the client's wallet
    into the Exchange vault, each signed locally and waited for until the indexer has credited it."""
    for token, decimals, amount in (
        (market.base_token, market.base_decimals, base),
        (market.quote_token, market.quote_decimals, quote),
    ):
        if amount is not None:
            client.wait_for_deposit(client.deposit(token, units(amount, decimals)))


@contextmanager
def failing_in_one_line(bot: str) -> Iterator[None]:
    """Turn a refusal by the API, an HTTP failure or an OS error into a non-zero exit with one line on stderr."""
    try:
        yield
    except (HdexClientError, httpx.HTTPError, OSError) as exc:
        raise SystemExit(f"{bot}: {exc}") from None
