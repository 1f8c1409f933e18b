"""Market states: open trades, cancel-only refuses new orders, halted refuses everything."""

from __future__ import annotations

from engine_helpers import BUY, MARKET, SELL, book, limit, of_type

from backend.engine import (
    AmendOrder,
    CancelAll,
    CancelOrder,
    Engine,
    Event,
    MarketState,
    MarketStateChanged,
    OrderAmended,
    OrderCancelled,
    Rejected,
    ResultCode,
    SetMarketState,
)


def _reasons(events: list[Event]) -> list[ResultCode]:
    return [e.reason for e in events if isinstance(e, Rejected)]


def test_a_state_change_is_an_event_of_the_market(engine: Engine) -> None:
    (event,) = engine.apply(SetMarketState(MARKET, MarketState.CANCEL_ONLY))
    assert isinstance(event, MarketStateChanged) and event.state == MarketState.CANCEL_ONLY
    assert engine.market_state(MARKET) == MarketState.CANCEL_ONLY


def test_cancel_only_rejects_new_orders_but_allows_cancels_and_amends(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5))
    engine.apply(limit("b2", BUY, 99, 5))
    engine.apply(SetMarketState(MARKET, MarketState.CANCEL_ONLY))
    assert _reasons(engine.apply(limit("s1", SELL, 100, 1, account="bob"))) == [ResultCode.MARKET_CANCEL_ONLY]
    assert of_type(engine.apply(AmendOrder("b1", 3)), OrderAmended)
    assert of_type(engine.apply(CancelOrder("b1")), OrderCancelled)
    assert of_type(engine.apply(CancelAll("alice")), OrderCancelled)
    assert book(engine, BUY) == []


def test_halted_rejects_orders_cancels_and_amends(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5))
    engine.apply(SetMarketState(MARKET, MarketState.HALTED))
    assert _reasons(engine.apply(limit("s1", SELL, 100, 1, account="bob"))) == [ResultCode.MARKET_HALTED]
    assert _reasons(engine.apply(CancelOrder("b1"))) == [ResultCode.MARKET_HALTED]
    assert _reasons(engine.apply(AmendOrder("b1", 1))) == [ResultCode.MARKET_HALTED]
    assert _reasons(engine.apply(CancelAll("alice", market=MARKET))) == [ResultCode.MARKET_HALTED]
    assert engine.apply(CancelAll("alice")) == []  # halted markets are skipped by a cancel-all everywhere
    assert book(engine, BUY) == [("b1", 100, 5)]


def test_reopening_a_market_lets_it_trade_again(engine: Engine) -> None:
    engine.apply(SetMarketState(MARKET, MarketState.HALTED))
    engine.apply(SetMarketState(MARKET, MarketState.OPEN))
    assert _reasons(engine.apply(limit("b1", BUY, 100, 5))) == []


def test_a_state_change_for_an_unknown_market_is_rejected(engine: Engine) -> None:
    (event,) = engine.apply(SetMarketState("NOPE", MarketState.HALTED))
    assert isinstance(event, Rejected) and event.reason == ResultCode.UNKNOWN_MARKET
