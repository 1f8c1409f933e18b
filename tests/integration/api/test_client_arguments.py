"""The bot client refuses arguments it cannot sign with a typed error naming them, before anything is signed or sent
(a market the exchange does not list too: it used to be a KeyError, and the example bots' traceback).

A bot that passes a human figure (0.1, "3000.5"), a Decimal or a negative number where base units belong used to
get an AttributeError or OverflowError from deep inside the EIP-712 encoder, after a nonce had been drawn for it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient, HdexClientError, InvalidArgument, price_units, units
from backend.paths import PROJECT_ROOT

from ..conftest import free_port
from .exchange_fixtures import MARKET

AMOUNT, PRICE = units("0.1", 18), price_units("3000", 18, 6)


@pytest.mark.parametrize(
    ("arguments", "options", "field"),
    [
        (("buy", 0.1, PRICE), {}, "amount"),
        (("buy", Decimal(AMOUNT), PRICE), {}, "amount"),
        (("buy", str(AMOUNT), PRICE), {}, "amount"),
        (("buy", True, PRICE), {}, "amount"),
        (("buy", AMOUNT, 3000.5), {}, "price"),
        (("buy", AMOUNT, -PRICE), {}, "price"),
        (("buy", 2**128, PRICE), {}, "amount"),
        (("Buy", AMOUNT, PRICE), {}, "side"),
        (("buy", AMOUNT, PRICE), {"kind": "stop"}, "kind"),
        (("buy", AMOUNT, PRICE), {"time_in_force": "fok"}, "time_in_force"),
        (("buy", AMOUNT, PRICE), {"kind": "stop_limit", "trigger_price": 2999.5, "accept_operator_trigger": True},
         "trigger_price"),
        (("buy", AMOUNT, PRICE), {"expiry": 1.5e9}, "expiry"),
    ],
)  # fmt: skip
def test_an_order_argument_that_cannot_be_signed_is_refused_naming_it_and_uses_no_nonce(
    server: str, arguments: tuple[Any, ...], options: dict[str, Any], field: str
) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot:
        first = bot.next_nonce()
        with pytest.raises(InvalidArgument) as refused:
            bot.place_order(MARKET, *arguments, **options)
        assert isinstance(refused.value, HdexClientError) and isinstance(refused.value, ValueError)
        assert (refused.value.code, refused.value.field) == ("INVALID_FIELD", field)
        assert field in str(refused.value)
        placed = bot.place_order(MARKET, "buy", AMOUNT, PRICE)  # the refused call drew no nonce: none is skipped
        assert int(placed["order"]["nonce"]) == first


def test_a_withdrawal_amount_that_is_not_base_units_is_refused_naming_it(server: str) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot:
        usdc = bot.market(MARKET).quote_token
        for amount in (100.5, Decimal("100"), "100"):
            with pytest.raises(InvalidArgument) as refused:
                bot.withdraw(usdc, amount)  # type: ignore[arg-type]  # what an untyped bot passes
            assert refused.value.field == "amount"
        with pytest.raises(InvalidArgument) as refused:
            bot.withdraw(usdc, units("100", 6), max_fee=-1)
        assert refused.value.field == "max_fee"
        assert bot.withdrawals()["withdrawals"] == []


def test_a_market_the_exchange_does_not_list_is_refused_naming_the_ones_it_does(server: str) -> None:
    async def placed_async() -> None:
        async with AsyncHdexClient(server, DEV_KEYS[5]) as bot:
            await bot.place_order("WETH/USDC", "buy", AMOUNT, PRICE)

    with HdexClient(server, DEV_KEYS[5]) as bot:
        with pytest.raises(InvalidArgument) as refused:
            bot.place_order("WETH/USDC", "buy", AMOUNT, PRICE)  # ccxt's spelling, not HDEX's
        assert bot.open_orders() == []
    with pytest.raises(InvalidArgument) as refused_async:
        asyncio.run(placed_async())
    for error in (refused.value, refused_async.value):
        assert (error.code, error.field) == ("UNKNOWN_MARKET", "market")
        assert "WETH/USDC" in error.message and MARKET in error.message


@pytest.mark.parametrize("bot", ["market_maker", "taker_bot"])
def test_an_example_bot_given_a_market_that_is_not_listed_fails_in_one_line(server: str, bot: str) -> None:
    command = [sys.executable, f"scripts/{bot}.py", "--url", server, "--market", "WETH/USDC", "--rounds", "1"]
    if bot == "taker_bot":
        command[-2:] = ["--seconds", "1"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"{bot}: ") and MARKET in done.stderr


def test_a_deposit_amount_that_is_not_base_units_is_refused_before_the_node_is_asked(server: str) -> None:
    with HdexClient(server, DEV_KEYS[5], rpc_url=f"http://127.0.0.1:{free_port()}") as bot:  # no node there
        for amount in (0.5, Decimal("1"), "1", 0, -1):
            with pytest.raises(InvalidArgument) as refused:
                bot.deposit(bot.market(MARKET).quote_token, amount)  # type: ignore[arg-type]  # an untyped bot's
            assert refused.value.field == "amount"


def test_a_stop_in_a_market_without_a_price_source_is_refused_as_the_api_would_before_a_nonce_is_drawn(
    server: str,
) -> None:
    with HdexClient(server, DEV_KEYS[5]) as bot:
        first = bot.next_nonce()
        with pytest.raises(InvalidArgument) as refused:
            bot.place_order(MARKET, "buy", AMOUNT, PRICE, kind="stop_limit", trigger_price=PRICE + 10**6)
        assert (refused.value.code, refused.value.field) == ("STOP_NEEDS_PRICE_SOURCE", "accept_operator_trigger")
        assert int(bot.place_order(MARKET, "buy", AMOUNT, PRICE)["order"]["nonce"]) == first
