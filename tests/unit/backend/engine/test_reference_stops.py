"""Stops that watch the market's reference price (`reference_trigger`): trades do not fire them, `SetReferencePrice`
does, over its whole range; they survive snapshots and both journal forms, and older records read as before."""

from __future__ import annotations

import json

import pytest
from engine_helpers import BUY, MARKET, SELL, book, fills, limit, of_type, stop

from backend.engine import (
    AddMarket,
    CommandFormatError,
    Engine,
    MarketState,
    OrderTriggered,
    OrderType,
    PlaceOrder,
    Rejected,
    ResultCode,
    SetMarketState,
    SetReferencePrice,
)
from backend.engine.records import command_to_record, entries_from_text, record_text, record_to_command
from backend.engine.replay_format import parse_command_line
from backend.engine.snapshot import snapshot_from_plain, snapshot_to_plain

STOP_LIMIT = OrderType.STOP_LIMIT


def _trade_at(engine: Engine, price: int) -> None:
    """Print one trade at `price` between two third parties."""
    engine.apply(limit(f"mk{engine.command_seq}", SELL, price, 1, account="maker"))
    engine.apply(limit(f"tk{engine.command_seq}", BUY, price, 1, account="taker"))


def _buy_stop(order_id: str = "st", stop_price: int = 110, **extra: object) -> PlaceOrder:
    return stop(order_id, BUY, STOP_LIMIT, stop_price, 120, 1, account="zed", reference_trigger=True, **extra)


def _reference(engine: Engine, at_least: int, at_most: int | None = None) -> list[object]:
    return list(engine.apply(SetReferencePrice(MARKET, at_least, at_least if at_most is None else at_most)))


def test_trades_past_its_stop_price_do_not_fire_a_reference_stop_but_the_reference_does(engine: Engine) -> None:
    engine.apply(_buy_stop())
    engine.apply(stop("last", BUY, OrderType.STOP_MARKET, 110, 120, 1, account="amy"))  # watches the last trade
    _trade_at(engine, 115)
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["st"]
    assert [s.on_reference for s in engine.pending_stops(MARKET)] == [True]

    engine.apply(limit("ask", SELL, 118, 1, account="maker"))
    assert _reference(engine, 109) == []  # below its stop price: nothing happens
    events = _reference(engine, 110)
    assert [(t.order_id, t.last_price) for t in of_type(events, OrderTriggered)] == [("st", 110)]
    assert fills(events) == [("ask", "st", 118, 1)]
    assert engine.pending_stops(MARKET) == []
    assert engine.reference_price(MARKET) == (110, 110)


@pytest.mark.parametrize(
    ("side", "stop_price", "at_least", "at_most", "fires"),
    [
        (BUY, 110, 110, 111, True),  # a rise: the lowest price of the range reached it
        (BUY, 110, 109, 110, False),  # the reference may still be below 110
        (SELL, 90, 89, 90, True),  # a fall: the highest price of the range reached it
        (SELL, 90, 90, 91, False),  # the reference may still be above 90
    ],
)
def test_a_reference_range_fires_a_stop_only_when_every_price_in_it_has_reached_the_stop(
    engine: Engine, side: object, stop_price: int, at_least: int, at_most: int, fires: bool
) -> None:
    engine.apply(stop("st", side, OrderType.STOP_MARKET, stop_price, 200 if side is BUY else 1, 1,
                      account="zed", reference_trigger=True))  # fmt: skip
    events = _reference(engine, at_least, at_most)
    assert [t.order_id for t in of_type(events, OrderTriggered)] == (["st"] if fires else [])
    if fires:
        assert of_type(events, OrderTriggered)[0].last_price == (at_least if side is BUY else at_most)


def test_a_reference_stop_already_reached_by_the_reference_is_rejected_whatever_the_last_trade(engine: Engine) -> None:
    _reference(engine, 112)
    _trade_at(engine, 100)
    [rejected] = engine.apply(_buy_stop())
    assert isinstance(rejected, Rejected) and rejected.reason is ResultCode.WOULD_TRIGGER_IMMEDIATELY
    placed = engine.apply(stop("last", BUY, STOP_LIMIT, 110, 120, 1, account="amy"))  # the last trade is 100
    assert not of_type(placed, Rejected)
    engine.apply(_buy_stop("later", 113))
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["last", "later"]


def test_a_market_that_opens_fires_nothing_until_the_next_reference_price(engine: Engine) -> None:
    """The reference a halted market holds may be old by the time it opens (and a restore opens markets while it
    rebuilds the book): only a reference set while open fires, not the opening, not a trade after it."""
    engine.apply(_buy_stop())
    engine.apply(SetMarketState(MARKET, MarketState.HALTED))
    assert _reference(engine, 111) == []
    assert engine.reference_price(MARKET) == (111, 111)
    engine.apply(SetMarketState(MARKET, MarketState.CANCEL_ONLY))
    assert not of_type(engine.apply(SetMarketState(MARKET, MarketState.OPEN)), OrderTriggered)
    _trade_at(engine, 100)  # nor does a trade check it against the reference it holds
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["st"]
    events = _reference(engine, 111)
    assert [t.order_id for t in of_type(events, OrderTriggered)] == ["st"]
    assert book(engine, BUY) == [("st", 120, 1)]  # a stop-limit rests at its limit once fired


def test_an_unknown_reference_forgets_the_last_one_and_a_range_from_zero_fires_sell_stops(engine: Engine) -> None:
    _reference(engine, 150)
    assert _reference(engine, 0, 0) == []
    assert engine.reference_price(MARKET) is None
    engine.apply(_buy_stop(stop_price=140))  # not refused against the forgotten 150
    engine.apply(stop("sell", SELL, OrderType.STOP_MARKET, 1, 1, 1, account="amy", reference_trigger=True))
    events = _reference(engine, 0, 1)  # the price is below one unit
    assert [t.order_id for t in of_type(events, OrderTriggered)] == ["sell"]


def test_a_fired_reference_stop_that_trades_fires_the_stops_watching_the_last_trade(engine: Engine) -> None:
    engine.apply(limit("ask", SELL, 118, 2, account="maker"))
    engine.apply(stop("chained", BUY, OrderType.STOP_MARKET, 118, 130, 1, account="amy"))
    engine.apply(_buy_stop())
    events = _reference(engine, 110)
    assert [t.order_id for t in of_type(events, OrderTriggered)] == ["st", "chained"]
    assert fills(events) == [("ask", "st", 118, 1), ("ask", "chained", 118, 1)]


@pytest.mark.parametrize(("at_least", "at_most"), [(-5, 10), (11, 10), (1, 0)])
def test_a_reference_range_that_is_negative_or_out_of_order_is_rejected_and_changes_nothing(
    engine: Engine, at_least: int, at_most: int
) -> None:
    engine.apply(_buy_stop())
    before = engine.state_hash()
    [rejected] = engine.apply(SetReferencePrice(MARKET, at_least, at_most))
    assert isinstance(rejected, Rejected) and rejected.reason is ResultCode.INVALID_PRICE
    assert engine.reference_price(MARKET) is None
    assert engine.state_hash() != before  # the rejection took a sequence number, as every rejection does
    assert [s.order_id for s in engine.pending_stops(MARKET)] == ["st"]


def test_a_reference_for_an_unknown_market_or_a_reference_trigger_on_a_limit_order_is_rejected(
    engine: Engine,
) -> None:
    [unknown] = engine.apply(SetReferencePrice("BTC-USDC", 1, 1))
    assert isinstance(unknown, Rejected) and unknown.reason is ResultCode.UNKNOWN_MARKET
    [refused] = engine.apply(limit("o1", BUY, 100, 1, reference_trigger=True))
    assert isinstance(refused, Rejected) and refused.reason is ResultCode.STOP_PRICE_NOT_ALLOWED


def test_snapshots_keep_the_reference_and_which_stops_watch_it() -> None:
    engine = Engine()
    engine.apply(AddMarket(MARKET, 1, 1, 0))
    engine.apply(_buy_stop())
    engine.apply(stop("last", BUY, STOP_LIMIT, 110, 120, 1, account="amy"))
    _reference(engine, 100, 101)
    snapshot = engine.snapshot()
    plain = json.loads(json.dumps(snapshot_to_plain(snapshot)))
    assert plain["markets"][0]["reference"] == [100, 101]
    restored = Engine.restore(snapshot_from_plain(plain))
    assert restored.state_hash() == engine.state_hash()
    assert restored.reference_price(MARKET) == (100, 101)
    _trade_at(restored, 112)  # fires the last-trade stop only
    assert [s.order_id for s in restored.pending_stops(MARKET)] == ["st"]


def test_a_snapshot_written_before_reference_prices_reads_as_having_none() -> None:
    engine = Engine()
    engine.apply(AddMarket(MARKET, 1, 1, 0))
    engine.apply(stop("last", BUY, STOP_LIMIT, 110, 120, 1, account="amy"))
    plain = json.loads(json.dumps(snapshot_to_plain(engine.snapshot())))
    del plain["markets"][0]["reference"]
    plain["markets"][0]["stops"][0].pop()  # the stop row of the older form: no on_reference
    old = snapshot_from_plain(plain)
    assert old == engine.snapshot()
    plain["markets"][0]["stops"][0] += [True, "extra"]
    with pytest.raises(CommandFormatError, match="malformed snapshot"):
        snapshot_from_plain(plain)


def test_journal_records_keep_reference_trigger_and_older_place_records_read_without_it() -> None:
    reference_stop = _buy_stop(ts=3)
    for command in (reference_stop, SetReferencePrice(MARKET, 5, 6, 4)):
        assert record_to_command(command_to_record(command)) == command
        assert entries_from_text(record_text("7", command), None) == [(7, command)]
    plain_stop = stop("st", BUY, STOP_LIMIT, 110, 120, 1, account="zed", ts=3)
    assert record_to_command(command_to_record(plain_stop)[:-2]) == plain_stop  # the 12-field form of old journals
    assert record_to_command(command_to_record(plain_stop)[:-1]) == plain_stop  # the 13-field form, before `filled`
    with pytest.raises(CommandFormatError, match="reference_trigger"):
        record_to_command((*command_to_record(plain_stop)[:-2], 1))
    with pytest.raises(CommandFormatError, match="filled"):
        record_to_command((*command_to_record(plain_stop)[:-1], "7"))


def test_the_replay_format_reads_reference_prices_and_reference_stops() -> None:
    line = '{"op":"reference_price","market":"ETH-USDC","at_least":995,"at_most":996}'
    assert parse_command_line(line, 4) == SetReferencePrice(MARKET, 995, 996, 4)
    place = (
        '{"op":"place","id":"st","account":"zed","market":"ETH-USDC","side":"buy","type":"stop_limit",'
        '"price":120,"qty":1,"stop_price":110,"reference_trigger":true}'
    )
    assert parse_command_line(place, 2) == _buy_stop(ts=2)
    with pytest.raises(CommandFormatError, match="true or false"):
        parse_command_line(place.replace("true", "1"), 2)
