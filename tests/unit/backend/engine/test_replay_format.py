"""The replay tool's JSON-lines format: strict command parsing and event rendering."""

from __future__ import annotations

import json

import pytest

from backend.engine import (
    AddMarket,
    CancelAll,
    CancelOrder,
    CommandFormatError,
    ExpireOrders,
    OrderType,
    PlaceOrder,
    ResultCode,
    SelfTradePrevention,
    Side,
    Trade,
)
from backend.engine.events import Rejected
from backend.engine.replay_format import event_to_json, parse_command_line

PLACE = (
    '{"op":"place","id":"o1","account":"a1","market":"ETH-USDC","side":"buy","type":"limit",'
    '"price":1000,"qty":30,"tif":"GTC","stp":"cancel_taker"}'
)


def test_the_issue_examples_parse_into_commands() -> None:
    add = '{"op":"add_market","market":"ETH-USDC","tick_size":5,"lot_size":10,"min_notional":0}'
    assert parse_command_line(add, 1) == AddMarket("ETH-USDC", 5, 10, 0, ts=1)
    place = parse_command_line(PLACE, 2)
    assert isinstance(place, PlaceOrder)
    assert (place.order_id, place.side, place.order_type, place.price, place.qty) == (
        "o1", Side.BUY, OrderType.LIMIT, 1000, 30,
    )  # fmt: skip
    assert parse_command_line('{"op":"cancel","id":"o1"}', 3) == CancelOrder("o1", ts=3)
    all_in_market = '{"op":"cancel_all","account":"a1","market":"ETH-USDC"}'
    assert parse_command_line(all_in_market, 4) == CancelAll("a1", "ETH-USDC", ts=4)


def test_tif_and_stp_are_optional_and_ts_defaults_to_the_line_number() -> None:
    line = PLACE.replace(',"tif":"GTC","stp":"cancel_taker"', "")
    place = parse_command_line(line, 7)
    assert isinstance(place, PlaceOrder)
    assert (place.tif, place.stp, place.ts) == (None, SelfTradePrevention.CANCEL_TAKER, 7)
    assert parse_command_line('{"op":"expire","ts":42}', 9) == ExpireOrders(42)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"op":"dance"}', "unknown op"),
        ('{"op":"cancel"}', "missing field 'id'"),
        (PLACE.replace('"price":1000', '"price":1000.5'), "'price' must be an integer"),
        (PLACE.replace('"price":1000', '"price":true'), "'price' must be an integer"),
        (PLACE.replace('"side":"buy"', '"side":"long"'), "unknown value 'long'"),
        (PLACE.replace('"tif":"GTC"', '"tif":"GTD"'), "unknown value 'GTD'"),
        (PLACE.replace('"id":"o1"', '"id":""'), "non-empty string"),
        (PLACE.replace('"qty":30', '"qty":30,"colour":"red"'), "unknown field(s) colour"),
        (PLACE.replace('"price":1000', '"price":' + "9" * 5_000), "not JSON this reader takes"),  # past 4,300 digits
    ],
)
def test_a_bad_line_is_refused_with_a_reason(line: str, message: str) -> None:
    with pytest.raises(CommandFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_command_line(line, 1)


def test_a_trade_renders_with_maker_and_taker_ids() -> None:
    trade = Trade("ETH-USDC", 5, "m1", "t1", 1000, 30, "a2", "a1", Side.BUY)
    assert event_to_json(trade) == {
        "ev": "trade", "market": "ETH-USDC", "seq": 5, "maker": "m1", "taker": "t1", "price": 1000, "qty": 30,
        "maker_account": "a2", "taker_account": "a1", "taker_side": "buy",
    }  # fmt: skip


def test_rendered_events_are_plain_json_with_integer_numbers() -> None:
    rejected = Rejected("ETH-USDC", 3, "place", "o1", ResultCode.PRICE_OFF_TICK)
    text = json.dumps(event_to_json(rejected))
    assert json.loads(text) == {
        "ev": "rejected", "market": "ETH-USDC", "seq": 3, "command": "place", "id": "o1",
        "reason": "price_off_tick",
    }  # fmt: skip
