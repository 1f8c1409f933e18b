"""Which price-source readings the engine host hands the engine (journaled): a changed one, and one taken in
while the market was not open once it is (opening fires nothing by itself); an unusable reading or a removed
source forgets the price (GET /v1/markets shows null). What a reading fires is the engine's tests' business."""

from __future__ import annotations

from typing import Any

from backend.engine import MarketState
from backend.trading.hosting.commands import SetPriceSources, SetReferencePrices
from backend.trading.rules.markets import PriceSource

from .exchange_fixtures import MARKET, PRICE, TICK, Exchange
from .test_cancel_after import set_state

SOURCE = PriceSource("0x" + "fe" * 20, 3600)


def handle(exchange: Exchange, command: Any) -> Any:
    app: Any = exchange.client.app
    return exchange.client.portal.call(app.state.trading.host.handle, command)


def source_price(exchange: Exchange) -> str | None:
    market = next(m for m in exchange.client.get("/v1/markets").json()["markets"] if m["name"] == MARKET)
    price: str | None = market["priceSource"]["price"]
    return price


def test_readings_are_journaled_when_they_change_or_first_after_an_opening_and_unknown_forgets_the_price(
    sqlite_exchange: Exchange,
) -> None:
    exchange = sqlite_exchange
    handle(exchange, SetPriceSources({MARKET: SOURCE}))
    reading = SetReferencePrices({MARKET: (PRICE, PRICE)})
    assert handle(exchange, reading) is True
    assert source_price(exchange) == str(PRICE)
    assert handle(exchange, reading) is False  # nothing new: nothing journaled
    set_state(exchange, MarketState.HALTED)
    assert handle(exchange, reading) is False  # unchanged, and last taken in while the market was open
    moved = SetReferencePrices({MARKET: (PRICE + TICK, PRICE + TICK)})
    assert handle(exchange, moved) is True  # changed: taken in (a halted market fires nothing)
    set_state(exchange, MarketState.OPEN)
    assert handle(exchange, moved) is True  # the same price again, now that the market is open
    assert handle(exchange, moved) is False

    assert handle(exchange, SetReferencePrices({MARKET: None})) is True  # stale or failing: unknown
    assert source_price(exchange) is None
    assert handle(exchange, SetReferencePrices({MARKET: None})) is False
    stop = exchange.place(5, flags=2, triggerPrice=PRICE, limitPrice=PRICE + TICK)  # not measured from the old
    assert stop.status_code == 201, stop.text


def test_a_source_the_admin_removed_forgets_its_price(sqlite_exchange: Exchange) -> None:
    exchange = sqlite_exchange
    handle(exchange, SetPriceSources({MARKET: SOURCE}))
    handle(exchange, SetReferencePrices({MARKET: (PRICE, PRICE)}))
    handle(exchange, SetPriceSources({MARKET: None}))
    app: Any = exchange.client.app
    exchange.client.portal.call(app.state.trading.refresh_reference_prices)
    app_host = app.state.trading.host
    assert app_host.engine.reference_price(MARKET) is None
