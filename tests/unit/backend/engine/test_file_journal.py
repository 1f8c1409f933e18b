"""The file journal adapter: frames, checksums, torn tails, corruption, and atomic snapshots."""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import BUY, limit

from backend.engine import (
    AddMarket,
    CancelOrder,
    CommandFormatError,
    Engine,
    JournalCorruptionError,
    JournalEntry,
    recover,
)
from backend.engine.adapters.file_journal import (
    MAGIC,
    MAGIC_FORMAT_2,
    RESERVE_BYTES,
    FileJournal,
    read_journal,
    read_snapshot,
    write_snapshot,
)
from backend.engine.records import command_to_record

COMMANDS = [AddMarket("ETH-USDC", 1, 1, 0), limit("o1", BUY, 100, 1), CancelOrder("o1")]


def _journal(path: Path, *, frame_each: bool = False) -> None:
    with FileJournal(path) as journal:
        engine = Engine(journal=journal)
        for command in COMMANDS:
            engine.apply(command)
            if frame_each:
                journal.flush()


def _frame(payload: bytes) -> bytes:
    """A format 3 (or 2) frame with correct checksums around any payload."""
    checked = struct.pack("<II", len(payload), zlib.crc32(payload))
    return checked + struct.pack("<I", zlib.crc32(checked)) + payload


def _frame_offsets(path: Path) -> list[int]:
    offsets, data, offset = [], path.read_bytes(), len(MAGIC)
    while offset < len(data):
        offsets.append(offset)
        offset += 12 + struct.unpack_from("<I", data, offset)[0]
    return offsets


def _flip(path: Path, offset: int, mask: int = 0x01) -> bytes:
    data = bytearray(path.read_bytes())
    data[offset] ^= mask
    path.write_bytes(bytes(data))
    return bytes(data)


def test_space_reserved_past_the_end_never_shows_in_the_file_and_is_given_back_on_close(tmp_path: Path) -> None:
    path = tmp_path / "j"
    journal = FileJournal(path)
    journal.append(1, COMMANDS[0])
    journal.flush()
    size = path.stat().st_size
    assert list(read_journal(path)) == [JournalEntry(1, COMMANDS[0])]
    if journal.reserves_space:  # Linux with a filesystem that reserves: blocks past the size, not bytes
        assert path.stat().st_blocks * 512 >= RESERVE_BYTES > size
    journal.close()
    assert path.stat().st_size == size
    assert path.stat().st_blocks * 512 < RESERVE_BYTES
    with FileJournal(path) as reopened:  # appending after a reopen starts at the end of the frames
        reopened.append(2, COMMANDS[1])
    assert [entry.seq for entry in read_journal(path)] == [1, 2]


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
    """Once the queue is full, the next command writes it out before it is queued itself: a write that fails
    refuses that command whole (see test_engine_recovery)."""
    journal = FileJournal(tmp_path / "j", fsync=False, max_pending=2)
    journal.append(1, COMMANDS[0])
    journal.append(2, COMMANDS[1])
    assert (tmp_path / "j").stat().st_size == 0
    journal.append(3, COMMANDS[2])
    assert [entry.seq for entry in read_journal(tmp_path / "j")] == [1, 2]
    journal.close()


def test_a_torn_last_frame_is_ignored_and_cut_off_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path)
    whole = path.stat().st_size
    with open(path, "ab") as file:
        file.write(_frame(b"1\x1fE\x1f" + b"9" * 48)[:20])  # a sound header, then the crash
    assert len(list(read_journal(path))) == 3
    with FileJournal(path) as journal:
        journal.append(4, CancelOrder("o2"))
    assert path.stat().st_size > whole
    assert [entry.seq for entry in read_journal(path)] == [1, 2, 3, 4]


def test_a_journal_file_starts_with_its_format_magic_once_the_first_frame_is_written(tmp_path: Path) -> None:
    _journal(tmp_path / "j", frame_each=True)
    assert (tmp_path / "j").read_bytes().startswith(MAGIC)
    assert len(_frame_offsets(tmp_path / "j")) == 3


def test_a_byte_flipped_in_the_middle_of_a_journal_is_refused_with_its_file_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path, frame_each=True)
    middle = _frame_offsets(path)[1]
    _flip(path, middle + 16)  # one bit inside the second frame's payload

    read = []
    with pytest.raises(JournalCorruptionError, match="payload checksum mismatch") as refused:
        read.extend(read_journal(path))
    assert (refused.value.path, refused.value.offset) == (str(path), middle)
    assert read == [JournalEntry(1, COMMANDS[0])]  # everything before the bad frame, nothing after it


@pytest.mark.parametrize("mask", [0x01, 0x40], ids=["shorter", "past the end of the file"])
def test_a_damaged_length_is_refused_by_the_header_checksum_rather_than_taken_for_a_torn_tail(
    tmp_path: Path, mask: int
) -> None:
    path = tmp_path / "j"
    _journal(path, frame_each=True)
    middle = _frame_offsets(path)[1]
    _flip(path, middle + 1, mask)  # the length's second byte: 256 or 16,384 bytes off
    with pytest.raises(JournalCorruptionError, match="header checksum mismatch") as refused:
        list(read_journal(path))
    assert refused.value.offset == middle


def test_recovery_stops_at_a_corrupt_frame_rather_than_replaying_around_it(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path, frame_each=True)
    _flip(path, _frame_offsets(path)[1] + 16, 0xFF)
    with pytest.raises(JournalCorruptionError, match=f"{path}: corrupt journal frame at byte offset"):
        recover(None, read_journal(path))


def test_a_corrupt_journal_is_not_reopened_for_appending(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path, frame_each=True)
    damaged = _flip(path, _frame_offsets(path)[0] + 16)
    with pytest.raises(JournalCorruptionError):
        FileJournal(path)
    assert path.read_bytes() == damaged


def test_a_complete_frame_with_a_good_checksum_that_does_not_decode_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(MAGIC + _frame(b"1\x1fZ\x1fnot a record\x1f"))
    with pytest.raises(JournalCorruptionError, match="undecodable payload") as refused:
        list(read_journal(path))
    assert refused.value.offset == len(MAGIC)


def test_a_frame_that_is_not_utf8_text_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(MAGIC + _frame(b"1\x1fC\x1f\xff\xfe\x1f0\x1f"))
    with pytest.raises(JournalCorruptionError, match="undecodable payload"):
        list(read_journal(path))


def test_a_journal_reads_back_what_was_appended_even_with_gaps_and_separators_in_its_strings(tmp_path: Path) -> None:
    awkward = [
        AddMarket("ETH\x1fUSDC", 1, 1, 0),
        limit("o\x1f1", BUY, 2**80, 10**30, expires_at=-5),
        limit("o2", BUY, 2**70, 3, account="\ud800 caf\u00e9 \U0001f600", market="m"),  # a lone surrogate
        CancelOrder("o\x1e\n"),
        CancelOrder("o\x1f"),
    ]
    seqs = [1, 2, 3, 7, 8]  # a gap is written as it is, for recovery to refuse
    path = tmp_path / "j"
    with FileJournal(path, fsync=False) as journal:
        for seq, command in zip(seqs, awkward, strict=True):
            journal.append(seq, command)
    assert list(read_journal(path)) == [JournalEntry(seq, c) for seq, c in zip(seqs, awkward, strict=True)]


def test_a_journal_reopened_after_a_restart_names_the_next_sequence_number_again(tmp_path: Path) -> None:
    path = tmp_path / "j"
    _journal(path)
    with FileJournal(path) as journal:  # a new writer knows nothing of the records before it
        journal.append(4, CancelOrder("o2"))
        journal.append(5, CancelOrder("o3"))
    assert [entry.seq for entry in read_journal(path)] == [1, 2, 3, 4, 5]


def test_a_format_2_journal_of_pickled_frames_is_still_read_but_never_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "j"
    rows = [(seq, command_to_record(command)) for seq, command in enumerate(COMMANDS, 1)]
    path.write_bytes(MAGIC_FORMAT_2 + _frame(pickle.dumps(rows[:2], 5)) + _frame(pickle.dumps(rows[2:], 5)))
    assert list(read_journal(path)) == [JournalEntry(i, c) for i, c in enumerate(COMMANDS, 1)]
    with pytest.raises(CommandFormatError, match="format 2"):
        FileJournal(path)


def test_a_format_2_frame_that_names_a_python_object_is_refused_rather_than_loaded(tmp_path: Path) -> None:
    path = tmp_path / "j"
    payload = pickle.dumps([(1, ("E", Path("x")))])  # a global reference, as an attacker's frame would hold
    path.write_bytes(MAGIC_FORMAT_2 + _frame(payload))
    with pytest.raises(CommandFormatError, match="hold no objects"):
        list(read_journal(path))


def test_a_format_2_journal_is_still_checked_against_its_checksums(tmp_path: Path) -> None:
    path = tmp_path / "j"
    payload = pickle.dumps([(1, command_to_record(COMMANDS[0]))], 5)
    damaged = bytearray(_frame(payload))
    damaged[20] ^= 0x01
    path.write_bytes(MAGIC_FORMAT_2 + bytes(damaged))
    with pytest.raises(JournalCorruptionError, match="payload checksum mismatch"):
        list(read_journal(path))


def test_a_format_1_journal_without_checksums_is_still_read_but_never_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "j"
    rows = [(1, "K", "ETH-USDC", 1, 1, 0, 0), (2, "C", "o1", 0)]
    payload = pickle.dumps(rows, 5)
    path.write_bytes(struct.pack("<I", len(payload)) + payload)
    assert list(read_journal(path)) == [JournalEntry(1, COMMANDS[0]), JournalEntry(2, CancelOrder("o1"))]
    with pytest.raises(CommandFormatError, match="format 1"):
        FileJournal(path)


def test_a_magic_cut_short_by_a_crash_is_an_empty_journal(tmp_path: Path) -> None:
    path = tmp_path / "j"
    path.write_bytes(MAGIC[:3])
    assert list(read_journal(path)) == []
    with FileJournal(path) as journal:
        journal.append(1, COMMANDS[0])
    assert list(read_journal(path)) == [JournalEntry(1, COMMANDS[0])]


def test_a_snapshot_is_written_atomically_and_read_back(tmp_path: Path) -> None:
    engine = Engine()
    for command in COMMANDS[:2]:
        engine.apply(command)
    path = tmp_path / "snapshot.json"
    assert read_snapshot(path) is None
    write_snapshot(path, engine.snapshot())
    assert read_snapshot(path) == engine.snapshot()
    assert not (tmp_path / "snapshot.json.tmp").exists()


def _on_next_write(journal: FileJournal, monkeypatch: pytest.MonkeyPatch, write: Callable[[bytes], None]) -> None:
    """Makes the journal's next frame write run `write(frame)` instead; the real `journal._write` is back in place
    while it runs, for it to call and for every later write."""
    real = journal._write

    def once(frame: bytes) -> None:
        monkeypatch.setattr(journal, "_write", real)
        write(frame)

    monkeypatch.setattr(journal, "_write", once)


def test_a_command_appended_while_another_thread_flushes_is_written_by_the_next_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j"
    journal = FileJournal(path, fsync=False)
    journal.append(1, COMMANDS[0])

    def write_while_the_host_appends(frame: bytes) -> None:
        journal.append(2, COMMANDS[1])  # the host's thread, while the batch writer's flush is under way
        journal._write(frame)

    _on_next_write(journal, monkeypatch, write_while_the_host_appends)
    journal.flush()
    assert [entry.seq for entry in read_journal(path)] == [1]
    journal.flush()
    journal.close()
    assert [entry.seq for entry in read_journal(path)] == [1, 2]


def test_a_flush_that_fails_keeps_its_commands_for_the_next_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j"
    journal = FileJournal(path, fsync=False)
    journal.append(1, COMMANDS[0])

    def disk_full(frame: bytes) -> None:
        raise OSError(28, "No space left on device")

    _on_next_write(journal, monkeypatch, disk_full)
    with pytest.raises(OSError, match="No space"):
        journal.flush()
    journal.append(2, COMMANDS[1])
    journal.close()
    assert list(read_journal(path)) == [JournalEntry(1, COMMANDS[0]), JournalEntry(2, COMMANDS[1])]


class _DiskFillsMidFrame:
    """A journal file whose next write stores only the first 5 bytes and the one after that fails: a disk that
    fills in the middle of a frame. Everything else reaches the real file."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._writes = 0

    def write(self, data: memoryview) -> int:
        self._writes += 1
        if self._writes == 1:
            return int(self._file.write(data[:5]))
        if self._writes == 2:
            raise OSError(28, "No space left on device")
        return int(self._file.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def test_a_flush_that_fails_mid_frame_leaves_no_fragment_before_the_next_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "j"
    _journal(path)
    whole = path.stat().st_size
    journal = FileJournal(path, fsync=False)
    monkeypatch.setattr(journal, "_file", _DiskFillsMidFrame(journal._file))
    journal.append(4, CancelOrder("o2"))
    with pytest.raises(OSError, match="No space"):
        journal.flush()
    assert path.stat().st_size == whole
    journal.close()
    assert [entry.seq for entry in read_journal(path)] == [1, 2, 3, 4]
