"""The CCXT adapter (`backend.client.ccxt.hdex`) against a real server: every order kind placed, queried and
cancelled through ccxt's unified methods, market data in ccxt's shapes, and HDEX's error codes as ccxt's errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import ccxt
import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import hdex
from backend.errors import ErrorCode

from .exchange_fixtures import MARKET

SYMBOL = "WETH/USDC"


def adapter(server: str, key_index: int = 5) -> hdex:
    return hdex({"privateKey": DEV_KEYS[key_index], "urls": {"api": {"rest": server}}})


def test_markets_and_market_data_come_in_ccxt_shapes_with_human_figures(server: str) -> None:
    maker, taker = adapter(server, 5), adapter(server, 6)
    market = maker.load_markets()[SYMBOL]
    assert (market["id"], market["base"], market["quote"], market["spot"], market["active"]) == (
        MARKET, "WETH", "USDC", True, True,
    )  # fmt: skip
    assert (market["precision"]["price"], market["precision"]["amount"]) == (0.01, 0.001)
    assert (market["maker"], market["taker"], market["limits"]["cost"]["min"]) == (0.001, 0.002, 10.0)

    maker.create_order(SYMBOL, "limit", "sell", 0.5, 3000.5)
    taker.create_order(SYMBOL, "limit", "buy", 0.2, 3000.5, {"timeInForce": "IOC"})
    book = taker.fetch_order_book(SYMBOL)
    assert book["asks"] == [[3000.5, 0.3]] and book["bids"] == [] and book["nonce"] > 0
    trades = taker.fetch_trades(SYMBOL)
    assert [(t["side"], t["price"], t["amount"], t["cost"]) for t in trades] == [("buy", 3000.5, 0.2, 600.1)]
    ticker = taker.fetch_ticker(SYMBOL)
    assert (ticker["last"], ticker["ask"], ticker["bid"], ticker["baseVolume"]) == (3000.5, 3000.5, None, 0.2)
    everyone = taker.fetch_tickers()
    assert list(everyone) == [SYMBOL] and everyone[SYMBOL]["last"] == 3000.5
    assert taker.fetch_tickers([SYMBOL])[SYMBOL]["ask"] == 3000.5
    with pytest.raises(ccxt.BadSymbol):
        taker.fetch_tickers(["DOGE/USDC"])
    candles = taker.fetch_ohlcv(SYMBOL, "1m")
    assert [candle[1:] for candle in candles] == [[3000.5, 3000.5, 3000.5, 3000.5, 0.2]]

    mine = taker.fetch_my_trades(SYMBOL)
    assert [(t["side"], t["takerOrMaker"], t["amount"], t["fee"]) for t in mine] == [
        ("buy", "taker", 0.2, {"cost": 0.0004, "currency": "WETH"}),  # 0.2% of the 0.2 WETH the buyer receives
    ]
    balance = maker.fetch_balance()  # the ledger moves when the trade settles on-chain; until then it is held
    assert (balance["WETH"]["total"], balance["WETH"]["used"], balance["WETH"]["free"]) == (100, 0.5, 99.5)
    assert balance["USDC"]["total"] == 1_000_000


def test_every_order_kind_is_placed_queried_and_cancelled(server: str) -> None:
    bot = adapter(server)
    bot.load_markets()
    limit = bot.create_order(SYMBOL, "limit", "buy", 1, 2900, {"clientOrderId": "grid-1"})
    post_only = bot.create_order(SYMBOL, "limit", "buy", 1, 2899, {"postOnly": True})
    stop_limit = bot.create_order(
        SYMBOL, "limit", "sell", 1, 2500, {"triggerPrice": 2600, "acceptOperatorTrigger": True}
    )
    stop_market = bot.create_order(
        SYMBOL, "market", "sell", 1, 2400, {"triggerPrice": 2450, "acceptOperatorTrigger": True}
    )
    assert (limit["status"], limit["clientOrderId"], limit["type"], limit["price"]) == ("open", "grid-1", "limit", 2900)
    assert (post_only["postOnly"], post_only["timeInForce"]) == (True, "PO")
    assert (stop_limit["type"], stop_limit["triggerPrice"], stop_limit["status"]) == ("limit", 2600, "open")
    assert (stop_market["type"], stop_market["triggerPrice"]) == ("market", 2450)

    opened = {order["id"] for order in bot.fetch_open_orders(SYMBOL)}
    assert opened == {limit["id"], post_only["id"], stop_limit["id"], stop_market["id"]}
    assert bot.fetch_order(limit["id"])["amount"] == 1
    assert bot.fetch_order(None, SYMBOL, {"clientOrderId": "grid-1"})["id"] == limit["id"]

    cancelled = bot.cancel_order(limit["id"], SYMBOL)
    assert cancelled["status"] == "canceled"
    rest = bot.cancel_all_orders(SYMBOL)
    assert {order["id"] for order in rest} == {post_only["id"], stop_limit["id"], stop_market["id"]}
    assert bot.fetch_open_orders(SYMBOL) == []
    assert {order["id"] for order in bot.fetch_closed_orders(SYMBOL)} == opened

    with pytest.raises(ccxt.InvalidOrder, match="no on-chain price source"):
        bot.create_order(SYMBOL, "limit", "sell", 1, 2500, {"triggerPrice": 2600})


def test_market_orders_fill_against_the_book_and_fill_or_kill_is_signed(server: str) -> None:
    maker, taker = adapter(server, 7), adapter(server, 8)
    maker.create_order(SYMBOL, "limit", "sell", 1.1, 3000)
    bought = taker.create_order(SYMBOL, "market", "buy", 0.4)  # worst price: the ask + 5%
    assert (bought["status"], bought["filled"], bought["cost"], bought["average"]) == ("closed", 0.4, 1200.0, 3000.0)
    assert bought["price"] == 3000.0  # ccxt gives a market order its average price
    assert bought["info"]["order"]["limitPrice"] == "3150000000"  # signed as its worst price; it traded at 3,000
    improved = taker.create_order(SYMBOL, "limit", "buy", 0.1, 3100, {"timeInForce": "IOC"})
    assert (improved["price"], improved["cost"], improved["average"]) == (3100.0, 300.0, 3000.0)  # the maker's price
    whole = taker.create_order(SYMBOL, "limit", "buy", 0.6, 3000, {"timeInForce": "FOK"})
    assert (whole["status"], whole["timeInForce"], whole["filled"]) == ("closed", "FOK", 0.6)
    with pytest.raises(ccxt.OrderNotFillable):
        taker.create_order(SYMBOL, "limit", "buy", 1, 3000, {"timeInForce": "FOK"})
    with pytest.raises(ccxt.InvalidOrder, match="no ask"):
        taker.create_order(SYMBOL, "market", "buy", 1)


def test_listings_follow_pages_past_one_and_any_limit_is_read_in_pages(server: str) -> None:
    """ccxt's callers expect every open order, and a limit above the API's page (500) must not be refused."""
    bot = adapter(server, 9)
    bot.load_markets()
    placed = {bot.create_order(SYMBOL, "limit", "buy", 0.01, 2000 + n)["id"] for n in range(150)}
    assert {order["id"] for order in bot.fetch_open_orders(SYMBOL)} == placed  # 100 a page by default
    assert len(bot.fetch_open_orders(SYMBOL, limit=120)) == 120
    bot.cancel_all_orders(SYMBOL)
    assert len(bot.fetch_closed_orders(SYMBOL)) == 100 and len(bot.fetch_closed_orders(SYMBOL, limit=1_000)) == 150
    assert bot.fetch_trades(SYMBOL, limit=1_000) == bot.fetch_trades(SYMBOL)  # fewer than a page: all of them
    assert bot.fetch_my_trades(SYMBOL, limit=1_000) == []
    asked: list[dict[str, Any]] = []
    send = bot.request

    def recorded(path: str, api: Any = "public", method: str = "GET", params: Any = None) -> Any:
        asked.append(dict(params or {}))
        return send(path, api, method, params or {})

    bot.request = recorded
    newest = bot.fetch_ohlcv(SYMBOL, "1m", limit=1_000)
    assert asked[-1]["end"] - asked[-1]["start"] == 1_000 * 60_000  # the newest 1,000 intervals, not the API's 500
    assert newest == bot.fetch_ohlcv(SYMBOL, "1m")  # the module's one trade, a minute ago at most


def test_an_order_is_edited_in_one_signed_request_and_a_refused_successor_leaves_it_cancelled(server: str) -> None:
    bot, other = adapter(server, 5), adapter(server, 6)
    assert bot.has["editOrder"] is True
    bid = bot.create_order(SYMBOL, "limit", "buy", 1, 2900, {"clientOrderId": "grid-1"})

    moved = bot.edit_order(bid["id"], SYMBOL, "limit", "buy", 2, 2890, {"clientOrderId": "grid-2"})
    assert bot.last_request_url.endswith("/v1/orders/replace")  # the cancel and the new order in one request
    assert (moved["status"], moved["amount"], moved["price"], moved["clientOrderId"]) == ("open", 2, 2890, "grid-2")
    assert bot.fetch_order(bid["id"])["status"] == "canceled"
    repriced = bot.edit_order(moved["id"], SYMBOL, "limit", "buy", price=2895)  # the amount: what remains of it
    assert (repriced["amount"], repriced["price"], repriced["status"]) == (2, 2895, "open")

    other.create_order(SYMBOL, "limit", "sell", 1, 2896)
    with pytest.raises(ccxt.OperationRejected, match="POST_ONLY_WOULD_CROSS"):  # the new order would trade
        bot.edit_order(repriced["id"], SYMBOL, "limit", "buy", 1, 2896, {"postOnly": True})
    assert bot.fetch_order(repriced["id"])["status"] == "canceled"  # the cancel stands
    with pytest.raises(ccxt.OrderNotFound):  # no longer open: nothing is placed
        bot.edit_order(repriced["id"], SYMBOL, "limit", "buy", 1, 2800)
    assert bot.fetch_open_orders(SYMBOL) == []


def test_the_dead_man_switch_is_armed_for_one_market_or_all_and_turned_off(server: str) -> None:
    bot = adapter(server, 7)
    assert bot.has["cancelAllOrdersAfter"] is True
    before = bot.milliseconds()
    armed = bot.cancel_all_orders_after(60_000, {"symbol": SYMBOL})
    assert (armed["market"], armed["timeoutMs"]) == (MARKET, "60000")  # the answer as HDEX gives it
    assert before + 60_000 <= int(armed["deadline"]) <= bot.milliseconds() + 60_000
    everywhere = bot.cancel_all_orders_after(30_000)
    assert (everywhere["market"], everywhere["timeoutMs"]) == (None, "30000")
    assert bot.cancel_all_orders_after(0)["deadline"] is None
    with pytest.raises(ccxt.BadRequest, match="TIMEOUT_OUT_OF_RANGE"):
        bot.cancel_all_orders_after(1_000)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ((SYMBOL, "limit", "buy", 1_000_000, 3000), ccxt.InsufficientFunds),
        ((SYMBOL, "limit", "buy", 0.001, 3000), ccxt.InvalidOrder),  # below the minimum notional
        ((SYMBOL, "limit", "sell", 1, 3000, {"postOnly": True, "timeInForce": "IOC"}), ccxt.InvalidOrder),
        (("DOGE/USDC", "limit", "buy", 1, 1), ccxt.BadSymbol),
    ],
)
def test_refusals_raise_ccxt_errors(server: str, arguments: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        adapter(server).create_order(*arguments)


def test_cancelling_an_unknown_order_is_order_not_found_and_a_wrong_wallet_is_refused(server: str) -> None:
    bot = adapter(server)
    with pytest.raises(ccxt.OrderNotFound):
        bot.cancel_order("0x" + "11" * 32, SYMBOL)
    placed = bot.create_order(SYMBOL, "limit", "buy", 1, 2000)
    impostor = adapter(server, 6)
    impostor.walletAddress = bot.signer_address()  # claims bot's wallet with its own key
    with pytest.raises(ccxt.AuthenticationError):
        impostor.cancel_order(placed["id"], SYMBOL)
    assert bot.fetch_order(placed["id"])["status"] == "open"


def test_every_code_the_adapter_maps_is_one_of_hdex_s() -> None:
    mapped = set(hdex().describe()["exceptions"]["exact"])
    assert mapped <= {code.value for code in ErrorCode}


def test_the_example_script_places_lists_and_cancels_a_bid(server: str) -> None:
    adapter(server, 5).create_order(SYMBOL, "limit", "buy", 1, 3000)  # a best bid for the script to quote under
    script = Path(__file__).resolve().parents[3] / "scripts" / "ccxt_example.py"
    run = subprocess.run([sys.executable, str(script), "--url", server], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "buy 0.007 at 2700" in run.stdout and "cancelled: canceled" in run.stdout
    assert adapter(server, 9).fetch_open_orders(SYMBOL) == []


def test_the_example_script_reports_a_refusal_on_one_line(server: str) -> None:
    script = Path(__file__).resolve().parents[3] / "scripts" / "ccxt_example.py"
    unfunded = "0x" + "00" * 31 + "01"
    run = subprocess.run(
        [sys.executable, str(script), "--url", server, "--key", unfunded], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert run.stderr.startswith("InsufficientFunds: ") and len(run.stderr.strip().splitlines()) == 1
