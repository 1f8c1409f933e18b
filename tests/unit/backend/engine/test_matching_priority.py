"""Price-time priority, maker-price trades, partial fills, book deltas and sequence numbers."""

from __future__ import annotations

import pytest
from engine_helpers import BUY, MARKET, SELL, book, fills, limit, of_type

from backend.engine import BookDelta, Engine, OrderAccepted, Trade


def test_a_buy_that_crosses_trades_at_the_resting_sell_price(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 5, account="bob"))
    events = engine.apply(limit("b1", BUY, 105, 5))
    assert fills(events) == [("s1", "b1", 100, 5)]


def test_a_sell_that_crosses_trades_at_the_resting_buy_price(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 100, 5, account="bob"))
    events = engine.apply(limit("s1", SELL, 95, 5))
    assert fills(events) == [("b1", "s1", 100, 5)]


def test_better_prices_fill_first_then_earlier_orders_at_the_same_price(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 102, 1, account="bob"))
    engine.apply(limit("s2", SELL, 101, 1, account="bob"))
    engine.apply(limit("s3", SELL, 101, 1, account="carol"))
    engine.apply(limit("s4", SELL, 100, 1, account="carol"))
    events = engine.apply(limit("b1", BUY, 102, 4))
    assert [fill[0] for fill in fills(events)] == ["s4", "s2", "s3", "s1"]
    assert [fill[2] for fill in fills(events)] == [100, 101, 101, 102]


def test_a_partly_filled_taker_rests_its_remainder_at_its_own_price(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 3, account="bob"))
    engine.apply(limit("b1", BUY, 101, 10))
    assert book(engine, BUY) == [("b1", 101, 7)]
    assert book(engine, SELL) == []


def test_a_partly_filled_maker_keeps_its_place_at_the_front(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 10, account="bob"))
    engine.apply(limit("s2", SELL, 100, 10, account="carol"))
    engine.apply(limit("b1", BUY, 100, 4))
    assert book(engine, SELL) == [("s1", 100, 6), ("s2", 100, 10)]


def test_a_taker_stops_at_its_limit_price(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 1, account="bob"))
    engine.apply(limit("s2", SELL, 103, 1, account="bob"))
    events = engine.apply(limit("b1", BUY, 101, 5))
    assert fills(events) == [("s1", "b1", 100, 1)]
    assert book(engine, BUY) == [("b1", 101, 4)]
    assert book(engine, SELL) == [("s2", 103, 1)]


def test_orders_that_do_not_cross_rest_sorted_best_first(engine: Engine) -> None:
    for order_id, price in [("b1", 98), ("b2", 100), ("b3", 99), ("b4", 100)]:
        engine.apply(limit(order_id, BUY, price, 1))
    assert [order[0] for order in book(engine, BUY)] == ["b2", "b4", "b3", "b1"]
    assert engine.best_bid(MARKET) == 100
    assert engine.best_ask(MARKET) is None


def test_depth_aggregates_quantity_per_price_level_best_first(engine: Engine) -> None:
    engine.apply(limit("b1", BUY, 99, 2))
    engine.apply(limit("b2", BUY, 100, 3))
    engine.apply(limit("b3", BUY, 100, 4))
    engine.apply(limit("s1", SELL, 101, 5))
    depth = engine.depth(MARKET, levels=1)
    assert depth.bids == [(100, 7)]
    assert depth.asks == [(101, 5)]
    assert engine.depth(MARKET).bids == [(100, 7), (99, 2)]


def test_a_trade_names_both_orders_and_both_accounts(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    (trade,) = of_type(engine.apply(limit("b1", BUY, 100, 2, account="alice")), Trade)
    assert (trade.maker_account, trade.taker_account, trade.taker_side) == ("bob", "alice", BUY)


def test_every_level_change_is_published_as_a_book_delta(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    engine.apply(limit("s2", SELL, 100, 3, account="bob"))
    events = engine.apply(limit("b1", BUY, 100, 4))
    deltas = [(d.side, d.price, d.level_qty) for d in of_type(events, BookDelta)]
    assert deltas == [(SELL, 100, 3), (SELL, 100, 1)]


def test_a_level_that_empties_is_published_with_zero_quantity(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    events = engine.apply(limit("b1", BUY, 100, 2))
    assert [(d.price, d.level_qty) for d in of_type(events, BookDelta)] == [(100, 0)]


def test_events_of_a_market_are_numbered_one_after_another(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    events = engine.apply(limit("b1", BUY, 100, 5)) + engine.apply(limit("b2", BUY, 90, 1))
    seqs = [event.seq for event in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert seqs[0] == 4  # market added (1), s1 accepted (2), its book delta (3)


def test_an_accepted_order_is_reported_before_its_trades(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    events = engine.apply(limit("b1", BUY, 100, 2))
    assert isinstance(events[0], OrderAccepted)
    assert isinstance(events[1], Trade)


def test_order_lookup_reports_a_live_order_and_forgets_a_filled_one(engine: Engine) -> None:
    engine.apply(limit("s1", SELL, 100, 2, account="bob"))
    view = engine.order("s1")
    assert view is not None and view.remaining == 2
    engine.apply(limit("b1", BUY, 100, 2))
    assert engine.order("s1") is None
    assert engine.last_trade_price(MARKET) == 100


def test_an_object_that_is_not_a_command_is_refused_before_it_is_journaled(engine: Engine) -> None:
    seq = engine.command_seq
    with pytest.raises(TypeError):  # the compiled core refuses it at the call, the pure one in `apply`
        engine.apply("place o1")  # type: ignore[arg-type]
    assert engine.command_seq == seq
