"""Orders off the market's grid, with unknown markets, duplicate ids or past expiry are rejected."""

from __future__ import annotations

import pytest
from engine_helpers import BUY, MARKET, SELL, book, limit, market, of_type, stop

from backend.engine import (
    AddMarket,
    Engine,
    MarketAdded,
    OrderType,
    PlaceOrder,
    Rejected,
    ResultCode,
    TimeInForce,
)

GRID = "BTC-USDC"


@pytest.fixture
def grid_engine(engine: Engine) -> Engine:
    """The shared engine plus a market with tick 5, lot 10 and minimum notional 10,000."""
    engine.apply(AddMarket(GRID, tick_size=5, lot_size=10, min_notional=10_000))
    return engine


def _reason(engine: Engine, command: PlaceOrder) -> ResultCode | None:
    rejected = of_type(engine.apply(command), Rejected)
    return rejected[0].reason if rejected else None


@pytest.mark.parametrize(
    ("price", "qty", "reason"),
    [
        (0, 10, ResultCode.INVALID_PRICE),
        (-5, 10, ResultCode.INVALID_PRICE),
        (1002, 10, ResultCode.PRICE_OFF_TICK),
        (1000, 0, ResultCode.INVALID_QUANTITY),
        (1000, -10, ResultCode.INVALID_QUANTITY),
        (1000, 15, ResultCode.QUANTITY_OFF_LOT),
        (995, 10, ResultCode.BELOW_MIN_NOTIONAL),
        (1000, 10, None),
    ],
)
def test_a_price_or_quantity_off_the_grid_is_rejected_with_its_reason(
    grid_engine: Engine, price: int, qty: int, reason: ResultCode | None
) -> None:
    assert _reason(grid_engine, limit("o1", BUY, price, qty, market=GRID)) == reason


def test_the_minimum_notional_is_price_times_quantity_inclusive(grid_engine: Engine) -> None:
    assert _reason(grid_engine, limit("o1", BUY, 500, 20, market=GRID)) is None
    assert _reason(grid_engine, limit("o2", BUY, 495, 20, market=GRID)) == ResultCode.BELOW_MIN_NOTIONAL


def test_a_rebuilt_remainder_is_held_to_the_minimum_notional_of_the_whole_order(grid_engine: Engine) -> None:
    """A restart that rebuilds the book from the database puts back what is left of a part-filled order: a remainder
    worth less than the minimum rested before the restart and rests after it."""
    assert _reason(grid_engine, limit("o1", BUY, 500, 10, market=GRID, filled=10)) is None
    assert _reason(grid_engine, limit("o2", BUY, 500, 10, market=GRID, filled=0)) == ResultCode.BELOW_MIN_NOTIONAL
    assert _reason(grid_engine, limit("o3", BUY, 500, 10, market=GRID, filled=-10)) == ResultCode.INVALID_QUANTITY


def test_a_market_order_is_checked_on_its_worst_price(grid_engine: Engine) -> None:
    order = PlaceOrder("m1", "alice", GRID, BUY, OrderType.MARKET, 1001, 10)
    assert _reason(grid_engine, order) == ResultCode.PRICE_OFF_TICK


@pytest.mark.parametrize(
    ("stop_price", "reason"),
    [
        (None, ResultCode.INVALID_STOP_PRICE),
        (0, ResultCode.INVALID_STOP_PRICE),
        (1003, ResultCode.STOP_PRICE_OFF_TICK),
    ],
)
def test_a_stop_order_needs_a_stop_price_on_the_tick_grid(
    grid_engine: Engine, stop_price: int | None, reason: ResultCode
) -> None:
    order = PlaceOrder("s1", "alice", GRID, BUY, OrderType.STOP_LIMIT, 1000, 10, stop_price=stop_price)
    assert _reason(grid_engine, order) == reason


def test_a_limit_order_with_a_stop_price_is_rejected(engine: Engine) -> None:
    assert _reason(engine, limit("o1", BUY, 100, 1, stop_price=90)) == ResultCode.STOP_PRICE_NOT_ALLOWED


@pytest.mark.parametrize(
    ("order_type", "tif"),
    [
        (OrderType.MARKET, TimeInForce.GTC),
        (OrderType.MARKET, TimeInForce.POST_ONLY),
        (OrderType.STOP_LIMIT, TimeInForce.FOK),
        (OrderType.STOP_MARKET, TimeInForce.GTC),
    ],
)
def test_a_time_in_force_the_order_type_cannot_honour_is_rejected(
    engine: Engine, order_type: OrderType, tif: TimeInForce
) -> None:
    stop_price = 90 if order_type in (OrderType.STOP_LIMIT, OrderType.STOP_MARKET) else None
    order = PlaceOrder("o1", "alice", MARKET, BUY, order_type, 100, 1, stop_price=stop_price, tif=tif)
    assert _reason(engine, order) == ResultCode.TIF_NOT_ALLOWED


def test_an_order_for_an_unknown_market_is_rejected_outside_any_sequence(engine: Engine) -> None:
    (event,) = engine.apply(limit("o1", BUY, 100, 1, market="DOGE-USDC"))
    assert event == Rejected("DOGE-USDC", 0, "place", "o1", ResultCode.UNKNOWN_MARKET)


def test_an_order_id_that_is_live_is_rejected_as_a_duplicate(engine: Engine) -> None:
    engine.apply(limit("o1", BUY, 100, 1))
    assert _reason(engine, limit("o1", SELL, 200, 1)) == ResultCode.DUPLICATE_ORDER_ID
    assert book(engine, BUY) == [("o1", 100, 1)]


def test_a_waiting_stop_id_is_also_taken(engine: Engine) -> None:
    engine.apply(stop("st1", BUY, OrderType.STOP_MARKET, 120, 130, 1))
    assert _reason(engine, limit("st1", BUY, 100, 1)) == ResultCode.DUPLICATE_ORDER_ID


def test_an_order_id_can_be_used_again_once_its_order_is_gone(engine: Engine) -> None:
    engine.apply(limit("o1", BUY, 100, 1))
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    assert _reason(engine, limit("o1", BUY, 99, 1)) is None


def test_an_order_that_expires_at_or_before_its_arrival_is_rejected(engine: Engine) -> None:
    assert _reason(engine, limit("o1", BUY, 100, 1, expires_at=50, ts=50)) == ResultCode.ALREADY_EXPIRED
    assert _reason(engine, limit("o2", BUY, 100, 1, expires_at=51, ts=50)) is None


def test_a_market_is_added_once_with_a_valid_grid(engine: Engine) -> None:
    (again,) = engine.apply(AddMarket(MARKET, 1, 1, 0))
    assert isinstance(again, Rejected) and again.reason == ResultCode.MARKET_EXISTS
    (bad,) = engine.apply(AddMarket("X-Y", 0, 1, 0))
    assert isinstance(bad, Rejected) and bad.reason == ResultCode.INVALID_MARKET_SPEC
    (good,) = engine.apply(AddMarket("X-Y", 1, 1, 0))
    assert isinstance(good, MarketAdded) and good.seq == 1
    assert engine.markets() == [MARKET, "X-Y"]


def test_a_rejected_order_changes_nothing_but_the_sequence(engine: Engine) -> None:
    engine.apply(limit("o1", BUY, 100, 1))
    before = engine.snapshot()
    engine.apply(limit("o2", BUY, 0, 1))
    after = engine.snapshot()
    assert before.markets[0].bids == after.markets[0].bids
    assert after.markets[0].seq == before.markets[0].seq + 1


def test_a_market_order_with_fok_fills_completely_or_is_rejected(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    assert _reason(engine, market("m1", BUY, 100, 3, tif=TimeInForce.FOK)) == ResultCode.FOK_NOT_FILLED
    assert _reason(engine, market("m2", BUY, 100, 2, tif=TimeInForce.FOK)) is None
    assert book(engine, SELL) == []
