"""Commands survive the journal's record forms (field text and tuples) and the snapshot's plain JSON form unchanged."""

from __future__ import annotations

import json

import pytest
from engine_helpers import BUY, SELL, limit, stop
from engine_strategies import command_streams
from hypothesis import given, settings

from backend.engine import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    CommandFormatError,
    Engine,
    ExpireOrders,
    MarketState,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    SetMarketState,
    SetReferencePrice,
    Side,
    TimeInForce,
)
from backend.engine.records import FIELD_END, command_to_record, entries_from_text, record_text, record_to_command
from backend.engine.snapshot import snapshot_from_plain, snapshot_to_plain, state_hash

EVERY_KIND: list[Command] = [
    AddMarket("ETH-USDC", 5, 10, 100, ts=1),
    SetMarketState("ETH-USDC", MarketState.CANCEL_ONLY, ts=2),
    limit("o1", BUY, 100, 3, tif=TimeInForce.FOK, expires_at=99, ts=3),
    stop("o2", SELL, OrderType.TAKE_PROFIT_LIMIT, 120, 119, 4, ts=4),
    CancelOrder("o1", ts=5),
    CancelAll("alice", None, ts=6),
    CancelAll("alice", "ETH-USDC", ts=7),
    AmendOrder("o2", 2, ts=8),
    ExpireOrders(9),
    stop("o3", BUY, OrderType.STOP_LIMIT, 120, 121, 4, ts=10, reference_trigger=True),
    SetReferencePrice("ETH-USDC", 119, 120, ts=11),
    limit("o4", SELL, 100, 3, ts=12, filled=7),  # a rebuilt remainder
]


@pytest.mark.parametrize("command", EVERY_KIND, ids=lambda c: type(c).__name__)
def test_every_command_kind_round_trips_through_its_record(command: Command) -> None:
    record = command_to_record(command)
    assert all(isinstance(field, str | int | type(None)) for field in record)
    assert type(record[0]) is str and record[0] in "PCAMKSER"
    assert record_to_command(record) == command


@pytest.mark.parametrize("record", [("Z", 1), ("C",), ("P", "o1"), ("S", "m", "nope", 0), ()])
def test_a_malformed_record_is_refused(record: tuple[object, ...]) -> None:
    with pytest.raises(CommandFormatError):
        record_to_command(record)


EVERY_PLACE_KIND: list[Command] = [
    PlaceOrder(f"o{index}", "bob", "ETH-USDC", side, order_type, 100, 2, stop, tif, stp, expires_at, index)
    for index, (side, order_type, tif, stp, stop, expires_at) in enumerate(
        [(side, order_type, tif, stp, 95, None) for side in Side for order_type in OrderType
         for tif in [None, *TimeInForce] for stp in SelfTradePrevention]
        + [(Side.BUY, OrderType.LIMIT, None, SelfTradePrevention.CANCEL_TAKER, None, 10**40)]
    )
]  # fmt: skip


@pytest.mark.parametrize("commands", [EVERY_KIND, EVERY_PLACE_KIND], ids=["every command", "every order kind"])
def test_every_command_round_trips_through_its_field_text_with_implicit_sequence_numbers(
    commands: list[Command],
) -> None:
    text = record_text("41", commands[0]) + "".join(record_text("", command) for command in commands[1:])
    assert entries_from_text(text, None) == list(enumerate(commands, 41))
    assert entries_from_text(record_text("", commands[0]), 9) == [(10, commands[0])]


def test_field_text_keeps_strings_that_hold_the_separator_and_integers_beyond_64_bits() -> None:
    commands: list[Command] = [
        limit(f"o{FIELD_END}1", BUY, 2**64 + 1, 10**30, account=f"{FIELD_END}", expires_at=-(2**70)),
        CancelOrder(f"{FIELD_END}"),
        AmendOrder(f"a{FIELD_END}", 3),
        CancelAll("caf\u00e9 \U0001f600", "ETH-USDC"),
    ]
    text = "".join(record_text(str(seq), command) for seq, command in enumerate(commands, 1))
    assert entries_from_text(text, None) == list(enumerate(commands, 1))


@pytest.mark.parametrize(
    ("text", "previous", "reason"),
    [
        ("\x1fE\x1f5\x1f", None, "first record does not name"),
        ("1\x1fZ\x1f5\x1f", None, "unknown tag"),
        ("1\x1fC\x1fo1\x1f", None, "cut short"),
        ("1\x1fE\x1f5", None, "does not end with a whole field"),
        ("x\x1fE\x1f5\x1f", None, "not an integer"),
        ("\x1fE\x1ffive\x1f", 3, "malformed journal record"),
        ("\x1fP\x1fo1\x1fa\x1fm\x1f0900\x1f1\x1f1\x1f\x1f\x1f0\x1f", 3, "malformed journal record"),
        ("\x1fP\x1fo1\x1fa\x1fm\x1f000\x1f1\x1f1\x1f\x1f\x1f0\x1f", 3, "four codes"),
        ('\x1fJ\x1f{"not": "a list"}\x1f', 3, "malformed journal record"),
        ('\x1fJ\x1f["Q", 1]\x1f', 3, "unknown journal record tag"),
    ],
    ids=["no first seq", "unknown tag", "cut short", "unended", "bad seq", "bad int", "bad code", "short kinds",
         "json not a list", "json unknown tag"],
)  # fmt: skip
def test_malformed_field_text_is_refused(text: str, previous: int | None, reason: str) -> None:
    with pytest.raises(CommandFormatError, match=reason):
        entries_from_text(text, previous)


@settings(max_examples=40, deadline=None)
@given(command_streams())
def test_a_snapshot_round_trips_through_json_with_the_same_hash(stream: list[Command]) -> None:
    engine = Engine()
    for command in stream:
        engine.apply(command)
    snapshot = engine.snapshot()
    plain = json.loads(json.dumps(snapshot_to_plain(snapshot)))
    assert snapshot_from_plain(plain) == snapshot
    assert state_hash(snapshot_from_plain(plain)) == engine.state_hash()
    assert Engine.restore(snapshot).snapshot() == snapshot


def test_a_malformed_snapshot_document_is_refused() -> None:
    with pytest.raises(CommandFormatError, match="malformed snapshot"):
        snapshot_from_plain({"command_seq": 1, "markets": [{"spec": ["m", 1, 1, 0]}]})


def test_the_state_hash_changes_with_any_resting_order() -> None:
    engine = Engine()
    engine.apply(AddMarket("ETH-USDC", 1, 1, 0))
    empty = engine.state_hash()
    engine.apply(limit("o1", BUY, 100, 1))
    assert engine.state_hash() != empty
    assert len(engine.state_hash()) == 64
