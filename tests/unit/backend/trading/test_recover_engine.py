"""Start-up step 1: the engine from snapshot + journal up to the database's committed seq."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from backend.engine import AddMarket, CancelOrder, Engine, OrderType, PlaceOrder, Side, TimeInForce
from backend.engine.adapters.file_journal import FileJournal
from backend.trading.hosting.journal import JournalStore
from backend.trading.hosting.restore import recover_engine

MARKET = "ETH-USDC"


def bid(order_id: str) -> PlaceOrder:
    return PlaceOrder(order_id, "alice", MARKET, Side.BUY, OrderType.LIMIT, 100, 1, None, TimeInForce.GTC)


def running_engine(store: JournalStore) -> tuple[Engine, FileJournal]:
    """An engine that journals into `store` after a rotation, as the host runs it."""
    engine = Engine()
    engine.apply(AddMarket(MARKET, 1, 1, 0))
    journal = store.rotate(engine.snapshot())
    engine.attach_journal(journal)
    return engine, journal


def test_a_snapshot_and_journal_at_the_committed_seq_recover_the_engine_without_a_fallback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = JournalStore(tmp_path, fsync=False)
    engine, journal = running_engine(store)
    for command in (bid("o1"), bid("o2"), CancelOrder("o1")):
        engine.apply(command)
    journal.close()
    store.rotate(engine.snapshot()).close()  # the clean stop: snapshot at the committed seq, empty segment
    with caplog.at_level(logging.WARNING):
        recovered = recover_engine(store, committed_seq=engine.command_seq)
    assert caplog.records == []
    assert (recovered.command_seq, recovered.state_hash()) == (engine.command_seq, engine.state_hash())


def test_journal_entries_beyond_the_committed_seq_were_never_acknowledged_and_are_not_replayed(
    tmp_path: Path,
) -> None:
    store = JournalStore(tmp_path, fsync=False)
    engine, journal = running_engine(store)
    engine.apply(bid("o1"))
    committed = engine.command_seq
    engine.apply(bid("o2"))  # journaled, then the process died before the database committed it
    journal.close()
    recovered = recover_engine(store, committed)
    assert recovered.order("o1") is not None and recovered.order("o2") is None


def test_a_journal_that_ends_before_the_database_gives_an_empty_engine_numbering_on_from_the_database(
    tmp_path: Path,
) -> None:
    store = JournalStore(tmp_path, fsync=False)  # the journal was lost
    engine = recover_engine(store, committed_seq=724)
    assert (engine.command_seq, engine.markets()) == (724, [])
