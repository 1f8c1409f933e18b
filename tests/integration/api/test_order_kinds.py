"""Market, stop, post-only and FOK orders through the API, and expiry by the host's clock."""

from __future__ import annotations

import time

import pytest

from backend.trading.hosting import host, service

from .exchange_fixtures import PRICE, QTY, TICK, USDC, WETH, Exchange
from .test_order_lifecycle import reserved


def test_a_market_order_takes_what_is_there_and_its_remainder_is_cancelled(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(6, side=1, baseAmount=QTY // 2)
    market = {"flags": 1, "limitPrice": PRICE + 100 * TICK, "expiry": int(time.time()) + 30}  # worst price accepted
    taker = sqlite_exchange.place(5, **market).json()  # IOC: a short expiry
    assert (taker["status"], taker["reason"], taker["filled"]) == ("cancelled", "ioc_remainder", str(QTY // 2))
    traded_for = str(QTY // 2 * PRICE // 10**18)  # at the maker's price, not its worst
    assert taker["filledQuote"] == traded_for
    sqlite_exchange.drain()  # as stored: a closed order is listed from its row
    [listed] = sqlite_exchange.client.get(f"/v1/accounts/{taker['order']['maker']}/orders?status=closed").json()[
        "orders"
    ]
    assert (listed["hash"], listed["filledQuote"]) == (taker["hash"], traded_for)
    assert reserved(sqlite_exchange, 5, USDC) == QTY // 2 * PRICE // 10**18  # only the fill still holds


def test_a_stop_limit_waits_for_its_trigger_then_trades(sqlite_exchange: Exchange) -> None:
    # stop-limit (2) + operator-triggered (16): this chainless exchange knows no price source for the market
    stop = sqlite_exchange.place(5, flags=2 | 16, triggerPrice=PRICE + TICK, limitPrice=PRICE + 2 * TICK).json()
    assert stop["status"] == "open"
    sqlite_exchange.place(6, side=1, limitPrice=PRICE + 2 * TICK, baseAmount=2 * QTY)
    sqlite_exchange.place(7, limitPrice=PRICE + 2 * TICK)  # trades at PRICE + 2 ticks: the stop fires
    assert sqlite_exchange.client.get(f"/v1/orders/{stop['hash']}").json()["status"] == "filled"


def test_post_only_that_would_cross_and_fok_that_cannot_fill_change_nothing(sqlite_exchange: Exchange) -> None:
    sqlite_exchange.place(6, side=1)
    before = sqlite_exchange.state()
    crossing = sqlite_exchange.place(5, flags=4)
    assert (crossing.status_code, crossing.json()["error"]["code"]) == (409, "POST_ONLY_WOULD_CROSS")
    body = sqlite_exchange.signed(sqlite_exchange.order(5, baseAmount=2 * QTY, flags=8, expiry=int(time.time()) + 30))
    fok = sqlite_exchange.client.post("/v1/orders", json={**body, "timeInForce": "FOK"})
    assert (fok.status_code, fok.json()["error"]["code"]) == (409, "FOK_NOT_FILLED")
    after = sqlite_exchange.state()
    assert {k: v for k, v in after.items() if k != "engine"} == {k: v for k, v in before.items() if k != "engine"}


def test_an_order_expires_on_the_hosts_clock_and_gives_its_hold_back(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    expiry = int(time.time()) + 60
    order = sqlite_exchange.place(5, expiry=expiry).json()
    monkeypatch.setattr(service, "now_ms", lambda: (expiry + 2) * 1000)
    sqlite_exchange.sync()
    sqlite_exchange.state()  # drains the host
    assert sqlite_exchange.client.get(f"/v1/orders/{order['hash']}").json()["status"] == "expired"
    assert reserved(sqlite_exchange, 5, USDC) == 0


def test_an_order_that_expires_in_the_step_of_a_refused_order_still_expires(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine sweeps expired orders before each command: when that command is an order it refuses, what the
    sweep did stands (the expired order leaves the book, its hold and the books' view), not only the refusal."""
    expiry = int(time.time()) + 60
    resting = sqlite_exchange.place(7, side=1).json()  # far from expiring: the post-only below crosses it
    expiring = sqlite_exchange.place(6, side=1, limitPrice=PRICE + TICK, expiry=expiry).json()
    monkeypatch.setattr(host, "now_ms", lambda: (expiry + 2) * 1000)  # past it, before the host's next tick
    refused = sqlite_exchange.place(5, flags=4)
    sqlite_exchange.state()  # drains the host

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "POST_ONLY_WOULD_CROSS"), refused.text
    assert sqlite_exchange.client.get(f"/v1/orders/{expiring['hash']}").json()["status"] == "expired"
    assert reserved(sqlite_exchange, 6, WETH) == 0
    asks = sqlite_exchange.client.get("/v1/markets/WETH-USDC/book").json()["asks"]
    assert [price for price, _qty in asks] == [str(PRICE)], asks
    assert sqlite_exchange.client.get(f"/v1/orders/{resting['hash']}").json()["status"] == "open"
