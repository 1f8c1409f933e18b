"""Self-trade prevention: the taker's mode decides; no account ever trades with itself."""

from __future__ import annotations

from engine_helpers import BUY, SELL, book, fills, limit, of_type

from backend.engine import (
    Engine,
    Event,
    OrderCancelled,
    Rejected,
    ResultCode,
    SelfTradePrevention,
    TimeInForce,
)

TAKER, MAKER, BOTH = (
    SelfTradePrevention.CANCEL_TAKER,
    SelfTradePrevention.CANCEL_MAKER,
    SelfTradePrevention.CANCEL_BOTH,
)


def _cancelled(events: list[Event]) -> list[tuple[str, int]]:
    return [(c.order_id, c.remaining) for c in of_type(events, OrderCancelled)]


def _book_with_own_order_second(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    engine.apply(limit("s2", SELL, 100, 1, account="alice"))
    engine.apply(limit("s3", SELL, 101, 1, account="bob"))


def test_cancel_taker_is_the_default_and_keeps_the_resting_order(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    events = engine.apply(limit("b1", BUY, 101, 3, account="alice"))
    assert fills(events) == [("s1", "b1", 100, 1)]
    assert _cancelled(events) == [("b1", 2)]
    assert of_type(events, OrderCancelled)[0].reason == ResultCode.SELF_TRADE_PREVENTED
    assert book(engine, SELL) == [("s2", 100, 1), ("s3", 101, 1)]
    assert book(engine, BUY) == []


def test_cancel_maker_cancels_the_resting_order_and_matching_goes_on(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    events = engine.apply(limit("b1", BUY, 101, 3, account="alice", stp=MAKER))
    assert fills(events) == [("s1", "b1", 100, 1), ("s3", "b1", 101, 1)]
    assert _cancelled(events) == [("s2", 1)]
    assert book(engine, BUY) == [("b1", 101, 1)]
    assert book(engine, SELL) == []


def test_cancel_both_cancels_the_resting_order_and_the_taker(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    events = engine.apply(limit("b1", BUY, 101, 3, account="alice", stp=BOTH))
    assert fills(events) == [("s1", "b1", 100, 1)]
    assert _cancelled(events) == [("s2", 1), ("b1", 2)]
    assert book(engine, SELL) == [("s3", 101, 1)]
    assert book(engine, BUY) == []


def test_the_makers_mode_does_not_matter(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="alice", stp=MAKER))
    events = engine.apply(limit("b1", BUY, 100, 1, account="alice", stp=TAKER))
    assert _cancelled(events) == [("b1", 1)]
    assert book(engine, SELL) == [("s1", 100, 1)]


def test_a_fok_counts_only_what_it_could_fill_before_its_own_order(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    (event,) = engine.apply(limit("b1", BUY, 101, 2, account="alice", tif=TimeInForce.FOK))
    assert isinstance(event, Rejected) and event.reason == ResultCode.FOK_NOT_FILLED
    events = engine.apply(limit("b2", BUY, 101, 1, account="alice", tif=TimeInForce.FOK))
    assert fills(events) == [("s1", "b2", 100, 1)]


def test_a_fok_under_cancel_maker_skips_its_own_orders_when_counting(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    events = engine.apply(limit("b1", BUY, 101, 2, account="alice", tif=TimeInForce.FOK, stp=MAKER))
    assert fills(events) == [("s1", "b1", 100, 1), ("s3", "b1", 101, 1)]
    assert _cancelled(events) == [("s2", 1)]
    assert book(engine, SELL) == []


def test_a_fok_under_cancel_maker_that_still_falls_short_changes_nothing(engine: Engine) -> None:
    _book_with_own_order_second(engine)
    (event,) = engine.apply(limit("b1", BUY, 101, 3, account="alice", tif=TimeInForce.FOK, stp=MAKER))
    assert isinstance(event, Rejected) and event.reason == ResultCode.FOK_NOT_FILLED
    assert book(engine, SELL) == [("s1", 100, 1), ("s2", 100, 1), ("s3", 101, 1)]
