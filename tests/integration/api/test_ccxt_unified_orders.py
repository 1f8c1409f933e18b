"""The CCXT adapter's answers carry what ccxt's unified order structure promises, for every method that returns
orders (here: the orders a bulk cancel cancelled, and those `create_orders` placed in one batch)."""

from __future__ import annotations

import pytest
from ccxt.base.errors import BadRequest

from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import OrderOutcomeUnknown, hdex

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


def test_create_orders_places_a_batch_each_placed_or_rejected_and_a_resend_places_nothing_twice(server: str) -> None:
    bot = hdex({"privateKey": DEV_KEYS[5], "urls": {"api": {"rest": server}}})
    bot.load_markets()
    requests = [
        {"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.1, "price": 2800},
        {"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 10**9, "price": 2801},  # more than it holds
        {"symbol": SYMBOL, "type": "limit", "side": "sell", "amount": 0.2, "price": 3300, "params": {"postOnly": True}},
    ]
    placed = bot.create_orders(requests)

    assert [(o["symbol"], o["side"], o["status"]) for o in placed] == [
        (SYMBOL, "buy", "open"), (SYMBOL, "buy", "rejected"), (SYMBOL, "sell", "open"),
    ]  # fmt: skip
    assert placed[1]["info"]["error"]["code"] == "INSUFFICIENT_BALANCE"
    assert (placed[2]["postOnly"], placed[2]["price"], placed[2]["amount"]) == (True, 3300, 0.2)
    assert sorted(o["id"] for o in bot.fetch_open_orders(SYMBOL)) == sorted([placed[0]["id"], placed[2]["id"]])

    # The same signed batch again (a resend after an answer lost): the copies are refused, and read back as placed.
    order_hash, order_body = bot.signed_order_body(bot.market(SYMBOL), "limit", "buy", 0.1, 2700, {})
    hashes, body = [order_hash], {"orders": [order_body]}
    first = bot.send_batch(hashes, body)
    again = bot.resend(OrderOutcomeUnknown("lost", ",".join(hashes), "orders/batch", body))
    assert [(o["id"], o["status"]) for o in again] == [(o["id"], "open") for o in first]
    assert [o["id"] for o in bot.fetch_open_orders(SYMBOL)].count(hashes[0]) == 1
    with pytest.raises(BadRequest):
        bot.create_orders([requests[0]] * 21)
