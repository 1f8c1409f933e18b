"""Stop and take-profit orders: trigger conditions, immediate-trigger rejection, firing order."""

from __future__ import annotations

import pytest
from engine_helpers import BUY, MARKET, SELL, book, fills, limit, of_type, stop

from backend.engine import (
    CancelOrder,
    Engine,
    OrderAccepted,
    OrderCancelled,
    OrderTriggered,
    OrderType,
    Rejected,
    ResultCode,
    Side,
)

STOP_MARKET, STOP_LIMIT = OrderType.STOP_MARKET, OrderType.STOP_LIMIT
TAKE_PROFIT, TAKE_PROFIT_LIMIT = OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT


def _trade_at(engine: Engine, price: int, qty: int = 1) -> None:
    """Print one trade at `price` between two third parties."""
    engine.apply(limit(f"mk{price}-{engine.command_seq}", SELL, price, qty, account="maker"))
    engine.apply(limit(f"tk{price}-{engine.command_seq}", BUY, price, qty, account="taker"))


@pytest.mark.parametrize(
    ("side", "order_type", "stop_price", "fires_at", "holds_at"),
    [
        (BUY, STOP_MARKET, 110, 110, 109),  # buy stop: last >= stop
        (SELL, STOP_MARKET, 90, 90, 91),  # sell stop: last <= stop
        (BUY, TAKE_PROFIT, 90, 90, 91),  # buy take-profit: last <= stop
        (SELL, TAKE_PROFIT, 110, 110, 109),  # sell take-profit: last >= stop
    ],
)
def test_each_stop_kind_fires_on_its_side_of_the_stop_price(
    engine: Engine, side: Side, order_type: OrderType, stop_price: int, fires_at: int, holds_at: int
) -> None:
    _trade_at(engine, 100)
    engine.apply(stop("st", side, order_type, stop_price, 200 if side is BUY else 1, 1, account="zed"))
    _trade_at(engine, holds_at)
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["st"]
    _trade_at(engine, fires_at)
    assert engine.pending_stops(MARKET) == []


@pytest.mark.parametrize(
    ("side", "order_type", "stop_price"),
    [
        (BUY, STOP_MARKET, 100),
        (SELL, STOP_LIMIT, 105),
        (BUY, TAKE_PROFIT, 105),
        (SELL, TAKE_PROFIT_LIMIT, 95),
    ],
)
def test_a_stop_whose_condition_already_holds_is_rejected(
    engine: Engine, side: Side, order_type: OrderType, stop_price: int
) -> None:
    _trade_at(engine, 100)
    (event,) = engine.apply(stop("st", side, order_type, stop_price, 100, 1))
    assert isinstance(event, Rejected) and event.reason == ResultCode.WOULD_TRIGGER_IMMEDIATELY
    assert engine.pending_stops(MARKET) == []


def test_a_stop_placed_before_any_trade_waits(engine: Engine) -> None:
    (event,) = engine.apply(stop("st", BUY, STOP_MARKET, 100, 120, 1))
    assert isinstance(event, OrderAccepted) and event.stop_price == 100
    assert book(engine, BUY) == []
    _trade_at(engine, 100)
    assert engine.pending_stops(MARKET) == []


def test_a_fired_stop_market_executes_as_ioc_at_its_worst_price(engine: Engine) -> None:
    _trade_at(engine, 100)
    engine.apply(stop("st", BUY, STOP_MARKET, 105, 108, 3, account="zed"))
    engine.apply(limit("a1", SELL, 108, 1, account="maker"))
    engine.apply(limit("a2", SELL, 109, 5, account="maker"))
    engine.apply(limit("m1", SELL, 105, 1, account="maker"))
    events = engine.apply(limit("t1", BUY, 105, 1, account="taker"))
    triggered = of_type(events, OrderTriggered)
    assert [(t.order_id, t.last_price) for t in triggered] == [("st", 105)]
    assert fills(events) == [("m1", "t1", 105, 1), ("a1", "st", 108, 1)]
    assert [(c.order_id, c.remaining, c.reason) for c in of_type(events, OrderCancelled)] == [
        ("st", 2, ResultCode.IOC_REMAINDER)
    ]
    assert book(engine, SELL) == [("a2", 109, 5)]


def test_a_fired_stop_limit_executes_at_its_limit_and_rests_the_remainder(engine: Engine) -> None:
    _trade_at(engine, 100)
    engine.apply(stop("st", BUY, STOP_LIMIT, 105, 106, 3, account="zed"))
    engine.apply(limit("a106", SELL, 106, 1, account="maker"))
    engine.apply(limit("a107", SELL, 107, 1, account="maker"))
    engine.apply(limit("m1", SELL, 105, 1, account="maker"))
    events = engine.apply(limit("t1", BUY, 105, 1, account="taker"))
    assert fills(events) == [("m1", "t1", 105, 1), ("a106", "st", 106, 1)]
    assert book(engine, BUY)[0] == ("st", 106, 2)
    assert book(engine, SELL) == [("a107", 107, 1)]


def test_a_stop_limit_fires_then_rests_behind_orders_placed_before_it_fired(engine: Engine) -> None:
    _trade_at(engine, 100)
    engine.apply(stop("st", SELL, STOP_LIMIT, 95, 99, 2, account="zed"))
    engine.apply(limit("early", BUY, 90, 1, account="bob"))
    engine.apply(limit("ask", SELL, 99, 1, account="bob"))  # waits in the book above the stop's limit
    _trade_at(engine, 95)
    assert book(engine, SELL) == [("ask", 99, 1), ("st", 99, 2)]


def test_stops_fire_in_the_order_they_were_accepted(engine: Engine) -> None:
    _trade_at(engine, 100)
    engine.apply(stop("late-price", BUY, STOP_LIMIT, 102, 90, 1, account="zed"))
    engine.apply(stop("early-price", BUY, STOP_LIMIT, 101, 90, 1, account="zed"))
    events = engine.apply(limit("m1", SELL, 102, 1, account="maker")) + engine.apply(
        limit("t1", BUY, 102, 1, account="taker")
    )
    assert [t.order_id for t in of_type(events, OrderTriggered)] == ["late-price", "early-price"]
    assert book(engine, BUY) == [("late-price", 90, 1), ("early-price", 90, 1)]


def test_a_fired_stop_can_fire_further_stops_until_nothing_fires(engine: Engine) -> None:
    _trade_at(engine, 100)
    engine.apply(limit("a105", SELL, 105, 1, account="maker"))
    engine.apply(limit("a110", SELL, 110, 1, account="maker"))
    engine.apply(stop("first", BUY, STOP_MARKET, 101, 105, 1, account="zed"))
    engine.apply(stop("second", BUY, STOP_MARKET, 105, 110, 1, account="yan"))
    engine.apply(stop("never", BUY, STOP_MARKET, 120, 130, 1, account="yan"))
    events = engine.apply(limit("m1", SELL, 101, 1, account="maker")) + engine.apply(
        limit("t1", BUY, 101, 1, account="taker")
    )
    assert [t.order_id for t in of_type(events, OrderTriggered)] == ["first", "second"]
    assert fills(events)[-2:] == [("a105", "first", 105, 1), ("a110", "second", 110, 1)]
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["never"]


@pytest.mark.parametrize(
    ("side", "order_type", "stop_price"),
    [(SELL, STOP_MARKET, 101), (BUY, TAKE_PROFIT_LIMIT, 101), (SELL, TAKE_PROFIT, 109), (BUY, STOP_LIMIT, 109)],
)
def test_a_stop_fires_on_any_price_a_sweep_prints_not_only_the_last(
    engine: Engine, side: Side, order_type: OrderType, stop_price: int
) -> None:
    """A buy sweeping the asks 100, 105, 110 after a trade at 120 passes 101 on its way up, and a sell sweeping
    the bids 110, 105, 100 after a trade at 90 passes 109 on its way down: a stop triggered inside the range
    fires, though the sweep ends on the other side of it."""
    falls_first = order_type in (STOP_MARKET, TAKE_PROFIT_LIMIT)
    _trade_at(engine, 120 if falls_first else 90)
    engine.apply(stop("st", side, order_type, stop_price, 200 if side is BUY else 1, 1, account="zed"))
    levels = (100, 105, 110) if falls_first else (110, 105, 100)
    for price in levels:
        engine.apply(limit(f"m{price}", SELL if falls_first else BUY, price, 1, account="maker"))
    events = engine.apply(limit("sweep", BUY if falls_first else SELL, levels[-1], 3, account="taker"))
    assert [p for _, _, p, _ in fills(events)][:3] == list(levels)
    (triggered,) = of_type(events, OrderTriggered)
    assert (triggered.order_id, triggered.last_price) == ("st", levels[0])
    assert engine.pending_stops(MARKET) == []


def test_a_stop_outside_the_swept_range_keeps_waiting(engine: Engine) -> None:
    _trade_at(engine, 104)
    engine.apply(stop("below", SELL, STOP_MARKET, 103, 1, 1, account="zed"))
    engine.apply(stop("above", BUY, STOP_MARKET, 111, 200, 1, account="zed"))
    for price in (105, 110):
        engine.apply(limit(f"m{price}", SELL, price, 1, account="maker"))
    events = engine.apply(limit("sweep", BUY, 110, 2, account="taker"))
    assert of_type(events, OrderTriggered) == []
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["below", "above"]


def test_a_waiting_stop_can_be_cancelled(engine: Engine) -> None:
    engine.apply(stop("st", BUY, STOP_MARKET, 100, 120, 1))
    (event,) = engine.apply(CancelOrder("st"))
    assert isinstance(event, OrderCancelled) and event.remaining == 1
    assert engine.pending_stops(MARKET) == []
