"""GTC, IOC, FOK and POST_ONLY limits, and market orders (IOC at a worst acceptable price)."""

from __future__ import annotations

from engine_helpers import BUY, SELL, book, fills, limit, market, of_type

from backend.engine import (
    MAX_FOK_TRADES,
    Engine,
    OrderAccepted,
    OrderCancelled,
    Rejected,
    ResultCode,
    TimeInForce,
    Trade,
)


def test_a_gtc_remainder_rests(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    engine.apply(limit("b1", BUY, 100, 3, tif=TimeInForce.GTC))
    assert book(engine, BUY) == [("b1", 100, 2)]


def test_an_ioc_fills_what_it_can_and_cancels_the_rest(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    events = engine.apply(limit("b1", BUY, 100, 3, tif=TimeInForce.IOC))
    assert fills(events) == [("s1", "b1", 100, 1)]
    (cancelled,) = of_type(events, OrderCancelled)
    assert (cancelled.order_id, cancelled.remaining, cancelled.reason) == ("b1", 2, ResultCode.IOC_REMAINDER)
    assert book(engine, BUY) == []


def test_an_ioc_that_meets_nothing_is_cancelled_whole(engine: Engine) -> None:
    events = engine.apply(limit("b1", BUY, 100, 3, tif=TimeInForce.IOC))
    assert [type(e) for e in events] == [OrderAccepted, OrderCancelled]


def test_a_fok_that_can_fill_completely_fills_at_once(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    engine.apply(limit("s2", SELL, 101, 2, account="carol"))
    events = engine.apply(limit("b1", BUY, 101, 4, tif=TimeInForce.FOK))
    assert fills(events) == [("s1", "b1", 100, 2), ("s2", "b1", 101, 2)]
    assert book(engine, SELL) == [] and book(engine, BUY) == []


def test_a_fok_that_cannot_fill_completely_does_nothing(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    engine.apply(limit("s2", SELL, 102, 2, account="carol"))
    before = engine.snapshot().markets[0]
    events = engine.apply(limit("b1", BUY, 101, 3, tif=TimeInForce.FOK))
    assert events == [Rejected(events[0].market, events[0].seq, "place", "b1", ResultCode.FOK_NOT_FILLED)]
    assert of_type(events, Trade) == []
    after = engine.snapshot().markets[0]
    assert (after.bids, after.asks, after.last_price) == (before.bids, before.asks, before.last_price)


def test_a_fok_fills_from_at_most_max_fok_trades_resting_orders(engine: Engine) -> None:
    """Its trades settle in one transaction: a run longer than a block could take would hold up every settlement
    behind it for ever, so the book must fill it from MAX_FOK_TRADES orders or fewer."""
    for i in range(MAX_FOK_TRADES + 1):
        engine.apply(limit(f"s{i}", SELL, 100, 1, account=f"maker{i}"))
    before = engine.snapshot().markets[0]
    (refused,) = engine.apply(limit("b1", BUY, 100, MAX_FOK_TRADES + 1, tif=TimeInForce.FOK))
    assert isinstance(refused, Rejected) and refused.reason == ResultCode.FOK_NOT_FILLED
    assert engine.snapshot().markets[0].asks == before.asks
    events = engine.apply(limit("b2", BUY, 100, MAX_FOK_TRADES, tif=TimeInForce.FOK))
    assert len(of_type(events, Trade)) == MAX_FOK_TRADES and book(engine, SELL) == [(f"s{MAX_FOK_TRADES}", 100, 1)]


def test_a_post_only_that_would_cross_is_rejected_not_repriced(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    (event,) = engine.apply(limit("b1", BUY, 100, 1, tif=TimeInForce.POST_ONLY))
    assert isinstance(event, Rejected) and event.reason == ResultCode.POST_ONLY_WOULD_CROSS
    assert book(engine, BUY) == []


def test_a_post_only_that_does_not_cross_rests(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    engine.apply(limit("b1", BUY, 99, 1, tif=TimeInForce.POST_ONLY))
    assert book(engine, BUY) == [("b1", 99, 1)]


def test_a_post_only_sell_is_checked_against_the_best_bid(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 2, account="bob"))
    (event,) = engine.apply(limit("s1", SELL, 100, 1, tif=TimeInForce.POST_ONLY))
    assert isinstance(event, Rejected) and event.reason == ResultCode.POST_ONLY_WOULD_CROSS


def test_a_market_order_sweeps_up_to_its_worst_price_and_never_rests(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    engine.apply(limit("s2", SELL, 105, 1, account="bob"))
    engine.apply(limit("s3", SELL, 110, 1, account="bob"))
    events = engine.apply(market("m1", BUY, 105, 5))
    assert fills(events) == [("s1", "m1", 100, 1), ("s2", "m1", 105, 1)]
    (cancelled,) = of_type(events, OrderCancelled)
    assert (cancelled.remaining, cancelled.reason) == (3, ResultCode.IOC_REMAINDER)
    assert book(engine, BUY) == []
    assert book(engine, SELL) == [("s3", 110, 1)]


def test_a_market_sell_stops_at_its_worst_price(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 1, account="bob"))
    engine.apply(limit("b2", BUY, 90, 1, account="bob"))
    events = engine.apply(market("m1", SELL, 95, 2))
    assert fills(events) == [("b1", "m1", 100, 1)]
    assert book(engine, BUY) == [("b2", 90, 1)]
