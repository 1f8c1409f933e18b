"""DurableEngine: journal before publish, snapshots at intervals, recovery on reopen."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import BUY, SELL, book, fills, limit

from backend.engine import AddMarket, CancelOrder, Command, Engine
from backend.engine.adapters.durable_engine import JOURNAL_FILE, SNAPSHOT_FILE, DurableEngine
from backend.engine.adapters.file_journal import read_journal

BATCHES: list[list[Command]] = [
    [AddMarket("ETH-USDC", 1, 1, 0), limit("b1", BUY, 100, 5), limit("b2", BUY, 99, 5)],
    [limit("s1", SELL, 100, 2, account="bob"), CancelOrder("b2")],
    [limit("s2", SELL, 101, 1, account="bob")],
]


def test_submit_returns_events_only_after_the_batch_is_in_the_journal(tmp_path: Path) -> None:
    with DurableEngine(tmp_path, fsync=False) as durable:
        durable.submit(BATCHES[0])
        assert [entry.command for entry in read_journal(tmp_path / JOURNAL_FILE)] == BATCHES[0]


def test_a_snapshot_is_written_every_so_many_commands(tmp_path: Path) -> None:
    with DurableEngine(tmp_path, snapshot_every=4, fsync=False) as durable:
        durable.submit(BATCHES[0])
        assert not (tmp_path / SNAPSHOT_FILE).exists()
        durable.submit(BATCHES[1])
        assert (tmp_path / SNAPSHOT_FILE).exists()


def test_reopening_after_a_crash_recovers_the_same_state_and_carries_on(tmp_path: Path) -> None:
    reference = Engine()
    for batch in BATCHES:
        for command in batch:
            reference.apply(command)

    crashed = DurableEngine(tmp_path, snapshot_every=2, fsync=False)
    crashed.submit(BATCHES[0])
    crashed.submit(BATCHES[1])
    # no close(): the process dies here, with everything submitted already flushed

    with DurableEngine(tmp_path, snapshot_every=2, fsync=False) as recovered:
        assert recovered.engine.state_hash() == crashed.engine.state_hash()
        events = recovered.submit(BATCHES[2])
        assert fills(events) == []
        assert recovered.engine.state_hash() == reference.state_hash()
        assert book(recovered.engine, BUY) == [("b1", 100, 3)]
    assert [entry.seq for entry in read_journal(tmp_path / JOURNAL_FILE)] == list(range(1, 7))
