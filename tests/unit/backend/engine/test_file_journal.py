"""The file journal adapter: frames, torn tails, corruption, and atomic snapshots."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import pytest
from engine_helpers import BUY, limit

from backend.engine import AddMarket, CancelOrder, CommandFormatError, Engine, JournalEntry
from backend.engine.adapters.file_journal import FileJournal, read_journal, read_snapshot, write_snapshot

COMMANDS = [AddMarket("ETH-USDC", 1, 1, 0), limit("o1", BUY, 100, 1), CancelOrder("o1")]


def _journal(path: Path) -> None:
    with FileJournal(path) as journal:
        engine = Engine(journal=journal)
        for command in COMMANDS:
            engine.apply(command)


def test_appended_commands_read_back_in_order_with_their_sequence_numbers(tmp_path: Path) -> None:
    _journal(tmp_path / "j")
    assert list(read_journal(tmp_path / "j")) == [JournalEntry(i, c) for i, c in enumerate(COMMANDS, 1)]


def test_nothing_reaches_the_file_before_flush(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "j", fsync=False)
    journal.append(1, COMMANDS[0])
    assert (tmp_path / "j").stat().st_size == 0
    journal.flush()
    assert (tmp_path / "j").stat().st_size > 0
    journal.close()


def test_a_journal_that_is_never_flushed_flushes_itself_at_its_queue_limit(tmp_path: Path) -> None:
    journal = FileJournal(tmp_path / "j", fsync=False, max_pending=2)
    journal.append(1, COMMANDS[0])
    assert (tmp_path / "j").stat().st_size == 0
    journal.append(2, COMMANDS[1])
    assert [entry.seq for entry in read_journal(tmp_path / "j")] == [1, 2]
    journal.close()


def test_a_torn_last_frame_is_ignored_and_cut_off_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path)
    whole = path.stat().st_size
    with open(path, "ab") as file:
        file.write(struct.pack("<I", 50) + b"\x80\x05partial")
    assert len(list(read_journal(path))) == 3
    with FileJournal(path) as journal:
        journal.append(4, CancelOrder("o2"))
    assert path.stat().st_size > whole
    assert [entry.seq for entry in read_journal(path)] == [1, 2, 3, 4]


def test_a_complete_frame_that_does_not_decode_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    payload = b"not a pickle"
    path.write_bytes(struct.pack("<I", len(payload)) + payload)
    with pytest.raises(CommandFormatError, match="corrupt journal frame"):
        list(read_journal(path))


def test_a_frame_that_names_a_python_object_is_refused_rather_than_loaded(tmp_path: Path) -> None:
    path = tmp_path / "j"
    payload = pickle.dumps((1, "E", Path("x")))  # a global reference, as an attacker's frame would hold
    path.write_bytes(struct.pack("<I", len(payload)) + payload)
    with pytest.raises(CommandFormatError, match="hold no objects"):
        list(read_journal(path))


def test_a_snapshot_is_written_atomically_and_read_back(tmp_path: Path) -> None:
    engine = Engine()
    for command in COMMANDS[:2]:
        engine.apply(command)
    path = tmp_path / "snapshot.json"
    assert read_snapshot(path) is None
    write_snapshot(path, engine.snapshot())
    assert read_snapshot(path) == engine.snapshot()
    assert not (tmp_path / "snapshot.json.tmp").exists()


def test_a_command_appended_while_another_thread_flushes_is_written_by_the_next_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = FileJournal(tmp_path / "j", fsync=False)
    journal.append(1, COMMANDS[0])
    encode = pickle.dumps

    def encode_while_the_host_appends(rows: object, protocol: int) -> bytes:
        monkeypatch.setattr(pickle, "dumps", encode)
        journal.append(2, COMMANDS[1])  # the host's thread, while the batch writer's flush is under way
        return encode(rows, protocol)

    monkeypatch.setattr(pickle, "dumps", encode_while_the_host_appends)
    journal.flush()
    journal.flush()
    journal.close()
    assert [entry.seq for entry in read_journal(tmp_path / "j")] == [1, 2]
