"""The CCXT adapter's answers carry what ccxt's unified order structure promises, for every method that returns
orders (here: the orders a bulk cancel cancelled)."""

from __future__ import annotations

from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import hdex

SYMBOL = "WETH/USDC"


def test_the_orders_a_bulk_cancel_cancelled_name_their_market(server: str) -> None:
    bot = hdex({"privateKey": DEV_KEYS[5], "urls": {"api": {"rest": server}}})
    bot.load_markets()
    bids = [bot.create_order(SYMBOL, "limit", "buy", 0.1, price) for price in (2900, 2901)]
    cancelled = bot.cancel_all_orders(SYMBOL)
    assert sorted((o["id"], o["symbol"], o["status"]) for o in cancelled) == sorted(
        (bid["id"], SYMBOL, "canceled") for bid in bids
    )
    assert bot.fetch_open_orders(SYMBOL) == []
