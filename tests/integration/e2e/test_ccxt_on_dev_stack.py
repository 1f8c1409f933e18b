"""The CCXT adapter on `make run`'s stack (`hdex up`: anvil, the deployed contracts, the API, the indexer and the
relayer): two wallets deposit on-chain, trade through ccxt, and see the trade settle and their balances move."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient
from backend.client.ccxt import hdex
from tests.browser.stack import Stack, running_stack

SYMBOL = "WETH/USDC"
SETTLE_TIMEOUT_S = 60
T = TypeVar("T")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("ccxt-stack")) as running:
        yield running


def deposit(stack: Stack, key_index: int, amounts: dict[str, int]) -> None:
    """Move the wallet's own dev tokens into the Exchange (approve + deposit, signed locally) until credited."""
    with HdexClient(stack.url, DEV_KEYS[key_index], rpc_url=stack.rpc_url) as client:
        for symbol, amount in amounts.items():
            client.wait_for_deposit(
                client.deposit(stack.contracts[symbol], amount, timeout=30), timeout=60, poll_s=0.25
            )


def eventually(read: Callable[[], T], holds: Callable[[T], bool], what: str) -> T:
    """`read()` once `holds` of it: the relayer settles, then the indexer credits the ledger and the engine host
    releases the holds, each on its own loop (polls the API)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline:
        value = read()
        if holds(value):
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} not within {SETTLE_TIMEOUT_S} s: {read()}")


def settled_fills(exchange: hdex) -> list[dict[str, Any]]:
    return eventually(
        lambda: exchange.fetch_my_trades(SYMBOL),
        lambda fills: bool(fills) and all(fill["info"]["status"] == "settled" for fill in fills),
        "fills settled",
    )


def test_a_trade_through_ccxt_settles_on_chain_and_moves_both_balances(stack: Stack) -> None:
    deposit(stack, 7, {"WETH": 2 * 10**18})
    deposit(stack, 8, {"USDC": 10_000 * 10**6})
    seller = hdex({"privateKey": DEV_KEYS[7], "urls": {"api": {"rest": stack.url}}})
    buyer = hdex({"privateKey": DEV_KEYS[8], "urls": {"api": {"rest": stack.url}}})
    assert seller.fetch_balance()["WETH"]["free"] == 2.0

    ask = seller.create_order(SYMBOL, "limit", "sell", 1, 3000)
    bought = buyer.create_order(SYMBOL, "market", "buy", 0.5)
    assert (bought["status"], bought["filled"]) == ("closed", 0.5)
    [fill] = settled_fills(buyer)
    assert (fill["order"], fill["price"], fill["amount"], fill["takerOrMaker"]) == (bought["id"], 3000, 0.5, "taker")
    [maker_fill] = settled_fills(seller)
    assert (maker_fill["fee"]["currency"], fill["fee"]["currency"]) == ("USDC", "WETH")

    def final(balance: dict[str, Any], code: str) -> bool:
        return code in balance and balance[code]["used"] == 0

    weth = eventually(buyer.fetch_balance, lambda balance: final(balance, "WETH"), "the buyer's WETH")["WETH"]
    assert weth["total"] == pytest.approx(0.5 - fill["fee"]["cost"])
    assert buyer.fetch_balance()["USDC"]["total"] == 8500
    usdc = eventually(seller.fetch_balance, lambda balance: final(balance, "USDC"), "the seller's USDC")["USDC"]
    assert usdc["total"] == pytest.approx(1500 - maker_fill["fee"]["cost"])
    assert seller.fetch_order(ask["id"])["remaining"] == 0.5
    assert [order["id"] for order in seller.cancel_all_orders(SYMBOL)] == [ask["id"]]
    assert eventually(seller.fetch_balance, lambda balance: balance["WETH"]["used"] == 0, "the ask's release")
