"""Journal replay and crash recovery reproduce the same state, proven by the state hash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from engine_helpers import BUY, SELL, book, limit
from engine_strategies import SETUP, command_streams
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_book import ReferenceBook

from backend.engine import Command, Engine, JournalEntry, JournalGapError, recover
from backend.engine.adapters.file_journal import FileJournal, read_journal, read_snapshot, write_snapshot

PROPERTY = settings(max_examples=60, deadline=None)
CRASH_PROPERTY = settings(max_examples=40, deadline=None)


class MemoryJournal:
    """A journal that keeps its entries in a list."""

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []

    def append(self, seq: int, command: Command) -> None:
        self.entries.append(JournalEntry(seq, command))


@PROPERTY
@given(command_streams())
def test_replaying_the_journal_gives_the_same_state_hash(stream: list[Command]) -> None:
    journal = MemoryJournal()
    engine = Engine(journal=journal)
    for command in stream:
        engine.apply(command)
    assert [entry.seq for entry in journal.entries] == list(range(1, len(stream) + 1))
    assert recover(None, journal.entries).state_hash() == engine.state_hash()
    assert recover(None, journal.entries, ReferenceBook).state_hash() == engine.state_hash()


@PROPERTY
@given(command_streams(), st.data())
def test_a_snapshot_plus_the_journal_after_it_gives_the_same_state_hash(
    stream: list[Command], data: st.DataObject
) -> None:
    journal = MemoryJournal()
    engine = Engine(journal=journal)
    cut = data.draw(st.integers(min_value=0, max_value=len(stream)))
    snapshot = None
    for index, command in enumerate(stream):
        if index == cut:
            snapshot = engine.snapshot()
        engine.apply(command)
    assert recover(snapshot, journal.entries).state_hash() == engine.state_hash()


@CRASH_PROPERTY
@given(command_streams(), st.data())
def test_a_crash_at_a_random_point_then_recovery_reaches_the_same_final_state(
    stream: list[Command], data: st.DataObject
) -> None:
    crash_at = data.draw(st.integers(min_value=len(SETUP), max_value=len(stream)), label="crash_at")
    snapshot_every = data.draw(st.integers(min_value=1, max_value=20), label="snapshot_every")
    torn_bytes = data.draw(st.sampled_from([b"", b"\x07", b"\x30\x00\x00\x00\x80\x05"]), label="torn tail")
    uninterrupted = Engine()
    expected_events = [uninterrupted.apply(command) for command in stream]

    with tempfile.TemporaryDirectory() as tmp:
        journal_path, snapshot_path = Path(tmp) / "journal", Path(tmp) / "snapshot.json"
        with FileJournal(journal_path, fsync=False) as journal:
            before_crash = Engine(journal=journal)
            for command in stream[:crash_at]:
                before_crash.apply(command)
                journal.flush()  # the host flushes before publishing the command's events
                if before_crash.command_seq % snapshot_every == 0:
                    write_snapshot(snapshot_path, before_crash.snapshot(), fsync=False)
        with open(journal_path, "ab") as file:
            file.write(torn_bytes)  # the crash cut a frame short

        with FileJournal(journal_path, fsync=False) as journal:
            recovered = recover(read_snapshot(snapshot_path), read_journal(journal_path), journal=journal)
            assert recovered.state_hash() == before_crash.state_hash()
            after_events = [recovered.apply(command) for command in stream[crash_at:]]
        assert after_events == expected_events[crash_at:]
        assert recovered.state_hash() == uninterrupted.state_hash()
        assert [entry.command for entry in read_journal(journal_path)] == stream


def test_recovery_refuses_a_journal_with_a_gap() -> None:
    journal = MemoryJournal()
    engine = Engine(journal=journal)
    for command in [*SETUP, limit("b1", BUY, 100, 1), limit("s1", SELL, 110, 1)]:
        engine.apply(command)
    with pytest.raises(JournalGapError, match="from 1 to 3"):
        recover(None, [journal.entries[0], journal.entries[2]])


def test_recovery_skips_entries_the_snapshot_already_holds() -> None:
    journal = MemoryJournal()
    engine = Engine(journal=journal)
    for command in [*SETUP, limit("b1", BUY, 100, 1)]:
        engine.apply(command)
    snapshot = engine.snapshot()
    engine.apply(limit("s1", SELL, 110, 1))
    recovered = recover(snapshot, journal.entries)
    assert recovered.state_hash() == engine.state_hash()
    assert recovered.command_seq == 3


def test_a_recovered_engine_journals_from_the_next_sequence_number() -> None:
    first = MemoryJournal()
    engine = Engine(journal=first)
    for command in [*SETUP, limit("b1", BUY, 100, 1)]:
        engine.apply(command)
    second = MemoryJournal()
    recovered = recover(engine.snapshot(), [], journal=second)
    recovered.apply(limit("s1", SELL, 110, 1))
    assert [entry.seq for entry in second.entries] == [3]


class FullDisk(FileJournal):
    """A journal file whose next write fails once (the disk is full), then works again."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, fsync=False, max_pending=2)
        self.failing = False

    def flush(self) -> None:
        if self.failing:
            self.failing = False
            raise OSError(28, "No space left on device")
        super().flush()


def test_a_command_the_journal_could_not_take_is_neither_run_nor_replayed(tmp_path: Path) -> None:
    """The journal writes out when full, before the next command is queued: a write that fails refuses that
    command whole. Queued all the same, a later write would put in the journal a command the live engine never
    ran, and a replay would trade what the live book did not."""
    journal = FullDisk(tmp_path / "journal.bin")
    engine = Engine(journal=journal)
    for command in SETUP:
        engine.apply(command)
    engine.apply(limit("ask", SELL, 100, 5, account="bob"))
    journal.failing = True
    with pytest.raises(OSError):
        engine.apply(limit("buy", BUY, 100, 5))  # would have traded with the ask
    assert engine.command_seq == 2 and [o for o, _, _ in book(engine, SELL)] == ["ask"]
    engine.apply(limit("bid", BUY, 90, 1))
    journal.flush()

    assert [entry.seq for entry in read_journal(journal.path)] == [1, 2, 3]
    assert recover(None, read_journal(journal.path)).state_hash() == engine.state_hash()
