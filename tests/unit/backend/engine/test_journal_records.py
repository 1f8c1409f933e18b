"""Commands survive the journal's record form and the snapshot's plain JSON form unchanged."""

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
    SetMarketState,
    TimeInForce,
)
from backend.engine.records import command_to_record, record_to_command
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
]


@pytest.mark.parametrize("command", EVERY_KIND, ids=lambda c: type(c).__name__)
def test_every_command_kind_round_trips_through_its_record(command: Command) -> None:
    record = command_to_record(command)
    assert all(isinstance(field, str | int | type(None)) for field in record)
    assert type(record[0]) is str and record[0] in "PCAMKSE"
    assert record_to_command(record) == command


@pytest.mark.parametrize("record", [("Z", 1), ("C",), ("P", "o1"), ("S", "m", "nope", 0), ()])
def test_a_malformed_record_is_refused(record: tuple[object, ...]) -> None:
    with pytest.raises(CommandFormatError):
        record_to_command(record)


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
