"""Cancel by id, cancel all for an account, amend down keeping priority, and expiry."""

from __future__ import annotations

from engine_helpers import BUY, MARKET, SELL, book, fills, limit, of_type, stop

from backend.engine import (
    AddMarket,
    AmendOrder,
    BookDelta,
    CancelAll,
    CancelOrder,
    Engine,
    ExpireOrders,
    MarketState,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderType,
    Rejected,
    ResultCode,
    SetMarketState,
)
from backend.engine.engine import EXPIRY_SLACK

OTHER = "BTC-USDC"


def test_cancel_takes_a_resting_order_out_and_reports_its_remainder(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5))
    engine.apply(limit("b2", BUY, 100, 2))
    events = engine.apply(CancelOrder("b1"))
    assert [type(e) for e in events] == [OrderCancelled, BookDelta]
    cancelled, delta = events
    assert isinstance(cancelled, OrderCancelled) and isinstance(delta, BookDelta)
    assert (cancelled.remaining, cancelled.reason) == (5, ResultCode.CANCELLED_BY_USER)
    assert (delta.price, delta.level_qty) == (100, 2)
    assert book(engine, BUY) == [("b2", 100, 2)]


def test_cancel_of_an_unknown_id_is_rejected(engine: Engine) -> None:
    assert engine.apply(CancelOrder("nope")) == [Rejected("", 0, "cancel", "nope", ResultCode.UNKNOWN_ORDER)]


def test_cancel_of_a_filled_order_is_rejected_as_unknown(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    engine.apply(limit("b1", BUY, 100, 1))
    (event,) = engine.apply(CancelOrder("s1"))
    assert isinstance(event, Rejected) and event.reason == ResultCode.UNKNOWN_ORDER


def test_cancel_all_cancels_every_live_order_of_the_account_in_every_market(engine: Engine) -> None:
    engine.apply(AddMarket(OTHER, 1, 1, 0))
    engine.apply(limit("a1", BUY, 100, 1))
    engine.apply(limit("b1", BUY, 101, 1, account="bob"))
    engine.apply(limit("a2", SELL, 200, 1, market=OTHER))
    engine.apply(stop("a3", BUY, OrderType.STOP_MARKET, 150, 160, 1))
    events = engine.apply(CancelAll("alice"))
    assert [c.order_id for c in of_type(events, OrderCancelled)] == ["a1", "a3", "a2"]  # market by market
    assert book(engine, BUY) == [("b1", 101, 1)]


def test_cancel_all_can_be_limited_to_one_market(engine: Engine) -> None:
    engine.apply(AddMarket(OTHER, 1, 1, 0))
    engine.apply(limit("a1", BUY, 100, 1))
    engine.apply(limit("a2", SELL, 200, 1, market=OTHER))
    events = engine.apply(CancelAll("alice", market=OTHER))
    assert [c.order_id for c in of_type(events, OrderCancelled)] == ["a2"]
    assert book(engine, BUY) == [("a1", 100, 1)]


def test_cancel_all_for_an_unknown_market_is_rejected(engine: Engine) -> None:
    (event,) = engine.apply(CancelAll("alice", market="NOPE"))
    assert isinstance(event, Rejected) and event.reason == ResultCode.UNKNOWN_MARKET


def test_amend_down_keeps_time_priority(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 5, account="bob"))
    engine.apply(limit("s2", SELL, 100, 5, account="carol"))
    events = engine.apply(AmendOrder("s1", 2))
    amended, delta = events
    assert isinstance(amended, OrderAmended) and (amended.old_remaining, amended.remaining) == (5, 2)
    assert isinstance(delta, BookDelta) and delta.level_qty == 7
    assert book(engine, SELL) == [("s1", 100, 2), ("s2", 100, 5)]
    assert fills(engine.apply(limit("b1", BUY, 100, 3))) == [("s1", "b1", 100, 2), ("s2", "b1", 100, 1)]


def test_amend_that_does_not_decrease_is_rejected(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 5, account="bob"))
    for qty, reason in [(5, ResultCode.AMEND_NOT_A_DECREASE), (6, ResultCode.AMEND_NOT_A_DECREASE),
                        (0, ResultCode.INVALID_QUANTITY)]:  # fmt: skip
        (event,) = engine.apply(AmendOrder("s1", qty))
        assert isinstance(event, Rejected) and event.reason == reason
    (event,) = engine.apply(AmendOrder("nope", 1))
    assert isinstance(event, Rejected) and event.reason == ResultCode.UNKNOWN_ORDER


def test_amend_respects_the_lot_and_minimum_notional(engine: Engine) -> None:
    engine.apply(AddMarket(OTHER, tick_size=5, lot_size=10, min_notional=1_000))
    engine.apply(limit("o1", BUY, 50, 40, market=OTHER))
    (off_lot,) = engine.apply(AmendOrder("o1", 15))
    (too_small,) = engine.apply(AmendOrder("o1", 10))
    assert isinstance(off_lot, Rejected) and off_lot.reason == ResultCode.QUANTITY_OFF_LOT
    assert isinstance(too_small, Rejected) and too_small.reason == ResultCode.BELOW_MIN_NOTIONAL
    assert isinstance(engine.apply(AmendOrder("o1", 20))[0], OrderAmended)


def test_amend_of_a_waiting_stop_lowers_the_quantity_it_will_execute(engine: Engine) -> None:
    engine.apply(stop("st", BUY, OrderType.STOP_MARKET, 100, 120, 5))
    (event,) = engine.apply(AmendOrder("st", 2))
    assert isinstance(event, OrderAmended)
    assert engine.pending_stops(MARKET)[0].remaining == 2


def test_an_order_expires_when_a_command_arrives_at_or_after_its_expiry(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5, expires_at=10, ts=1))
    engine.apply(limit("b2", BUY, 100, 1, ts=2))
    assert engine.apply(ExpireOrders(9)) == []
    events = engine.apply(ExpireOrders(10))
    (expired,) = of_type(events, OrderExpired)
    assert (expired.order_id, expired.remaining) == ("b1", 5)
    assert of_type(events, BookDelta)[0].level_qty == 1
    assert book(engine, BUY) == [("b2", 100, 1)]


def test_an_expired_order_never_trades(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 5, account="bob", expires_at=10, ts=1))
    events = engine.apply(limit("b1", BUY, 100, 5, ts=10))
    assert of_type(events, OrderExpired)[0].order_id == "s1"
    assert fills(events) == []
    assert events.index(of_type(events, OrderExpired)[0]) == 0  # expiry runs before the command
    assert book(engine, BUY) == [("b1", 100, 5)]


def test_a_waiting_stop_expires_too(engine: Engine) -> None:
    engine.apply(stop("st", BUY, OrderType.STOP_MARKET, 100, 120, 1, expires_at=5, ts=1))
    (expired,) = engine.apply(ExpireOrders(6))
    assert isinstance(expired, OrderExpired) and expired.order_id == "st"
    assert engine.pending_stops(MARKET) == []


def test_an_expiry_entry_of_a_gone_order_does_not_touch_a_new_order_with_the_same_id(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5, expires_at=10, ts=1))
    engine.apply(CancelOrder("b1", ts=2))
    engine.apply(limit("b1", BUY, 100, 5, ts=3))
    assert engine.apply(ExpireOrders(11)) == []
    assert book(engine, BUY) == [("b1", 100, 5)]


def test_expiry_ignores_market_state(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5, expires_at=10, ts=1))
    engine.apply(SetMarketState(MARKET, MarketState.HALTED, ts=2))
    assert of_type(engine.apply(ExpireOrders(10)), OrderExpired)[0].order_id == "b1"


def test_the_expiry_queue_holds_no_more_than_a_bounded_number_of_gone_orders(engine: Engine) -> None:
    """A resting order leaves an entry in the expiry queue until its expiry time (months for a signed GTC order);
    a market maker's cancels and replaces must not grow it without bound. Orders still resting expire as before."""
    engine.apply(limit("keep", BUY, 90, 1, expires_at=50_000, ts=1))
    for n in range(3 * EXPIRY_SLACK):
        engine.apply(limit(f"o{n}", BUY, 100, 1, expires_at=10**12, ts=2))
        engine.apply(CancelOrder(f"o{n}", ts=2))
    assert len(engine._expiry) <= 2 + EXPIRY_SLACK  # type: ignore[attr-defined]
    (expired,) = of_type(engine.apply(ExpireOrders(50_000)), OrderExpired)
    assert expired.order_id == "keep"
