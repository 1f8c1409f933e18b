"""The journal and snapshots on local disk.

Journal file, format 3: the 8-byte magic `HDEXJRN3`, then frames. A frame is a 12-byte header of
three little-endian uint32 (the payload's length, the payload's CRC32 and the CRC32 of those first 8
header bytes; `zlib.crc32`), then the payload: the field text of its records, UTF-8
(`backend.engine.records`: fields ended by 0x1F, integers in decimal, each command encoded by the
compiled core as it is appended). The header has a checksum of its own so that a damaged length is
caught before it is believed: it can neither re-frame the rest of the file nor pass for a torn tail.
Reading the text builds nothing but commands, so a journal file can never make the reader import or
run anything. An empty file is an empty journal (the magic is written with the first frame).

A frame cut short by a crash (the torn tail: an incomplete header, or a sound header whose payload
the file ends before) is ignored on read and truncated away when the journal is reopened. A header
or a payload that fails its checksum, or a payload that does not decode, is damage, not a crash
(a crash never leaves a complete frame behind it): reading stops there with
`JournalCorruptionError` naming the file and the frame's byte offset, and the journal cannot be
reopened for appending. (The host then rebuilds its books from the database.)

Older formats are still read, so an engine upgraded mid-life recovers from its last segment, but
never appended to (the host always starts a new segment after recovery; `FileJournal` refuses to
open them): format 2 (magic `HDEXJRN2`, the same frames, the payload a pickle of a list of pairs
`(seq, record)`, `record` a tuple of `records.command_to_record`; its reader refuses every global)
and format 1 (no magic, no checksums: a frame is a 4-byte length and a pickle of `(seq, *record)`).

Durability, group commit: `append` only encodes the command into memory (`BufferedJournal`,
compiled with the core); `flush()` writes everything queued as one frame in one write system call
and, with `fsync=True`, forces it to disk with `fdatasync` (the data and the file size, without
the timestamps). On Linux the journal reserves disk space ahead of its end in steps of
`RESERVE_BYTES` (`fallocate` with `FALLOC_FL_KEEP_SIZE`: blocks are allocated but the file's size,
and so its content as any reader sees it, is exactly the frames written), so most syncs write the
frame and the new size without allocating blocks first; on this machine's ext4 that made a group
commit about twice as fast. Where the call is missing or refused the journal simply grows as it is
written. `close()` gives the unused reservation back. The host calls `flush()` before it publishes the events
of the commands appended so far, so an event is never visible before its command is durable.
`max_pending` bounds the queue if a host forgets to flush. `flush()` may run on another thread than
`append` (the host's batch writer): it writes exactly the commands queued when it started and
leaves any appended meanwhile for the next flush; a flush that fails keeps its commands queued.

Snapshot file: the canonical JSON of `snapshot_to_plain`, written to a temporary file, fsynced and
renamed over the old one, so a crash leaves either the old or the new snapshot, never half of one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import json
import os
import pickle
import struct
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from backend.engine.errors import CommandFormatError, JournalCorruptionError
from backend.engine.journal import BufferedJournal, JournalEntry
from backend.engine.records import entries_from_text, record_to_command
from backend.engine.snapshot import EngineSnapshot, snapshot_from_plain, snapshot_to_plain

MAGIC = b"HDEXJRN3"
MAGIC_FORMAT_2 = b"HDEXJRN2"
_LENGTH = struct.Struct("<I")  # a format 1 frame's header
_HEADER = struct.Struct("<III")  # payload length, payload CRC32, CRC32 of the first 8 header bytes
_CHECKED = struct.Struct("<II")  # the part of the header its own checksum covers
RESERVE_BYTES = 4 << 20  # disk space reserved past the journal's end at a time (about 100k commands)
_FALLOC_FL_KEEP_SIZE = 1  # linux/falloc.h


def _load_fallocate() -> Any:
    """libc's `fallocate(fd, mode, offset, len)` on Linux, else None (the journal then just grows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        fallocate = libc.fallocate
    except (OSError, AttributeError):
        return None
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
    fallocate.restype = ctypes.c_int
    return fallocate


_FALLOCATE = _load_fallocate()
_DATASYNC = getattr(os, "fdatasync", os.fsync)  # macOS and Windows have no fdatasync


class FileJournal(BufferedJournal):
    """Appends commands to a journal file (see the module docs); satisfies `Journal`."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True, max_pending: int = 65_536) -> None:
        super().__init__(max_pending)
        self.path = Path(path)
        self._fsync = fsync
        self._flushing = threading.Lock()  # one writer of frames, even when a full queue flushes in `append`
        valid_end = _valid_end(self.path) if self.path.exists() else 0
        # unbuffered: a frame is one write system call, never copied into a buffer first
        self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115 - lives until close()
        if self._file.tell() != valid_end:
            self._file.truncate(valid_end)  # drop the torn tail a crash left behind
            self._file.seek(valid_end)
        self._magic_written = valid_end > 0
        self._unsynced = False  # written since the last fsync
        self._reserved_end = valid_end  # where the disk space reserved for the journal ends
        self._reserving = _FALLOCATE is not None

    def flush(self) -> None:
        """Write everything queued as one frame and, if so configured, fsync it."""
        with self._flushing:
            buffer = self.buffer
            payload, count = buffer.pending_payload()
            if count:
                checked = _CHECKED.pack(len(payload), zlib.crc32(payload))
                frame = checked + _LENGTH.pack(zlib.crc32(checked)) + payload
                self._write(frame if self._magic_written else MAGIC + frame)
                self._magic_written = True
                buffer.drop(count)
            if self._fsync and self._unsynced:
                _DATASYNC(self._file.fileno())
                self._unsynced = False

    def _write(self, data: bytes) -> None:
        self._reserve(len(data))
        self._unsynced = True
        view = memoryview(data)
        try:
            while view:  # a regular file takes it all at once unless the disk fills or a signal lands
                view = view[self._file.write(view) :]
        except BaseException:
            # cut off the part of the frame that made it: the flush keeps its commands, and the one that
            # writes them again must append a whole frame, not one behind a fragment that reads as damage
            if len(view) < len(data):
                self._file.truncate(self._file.tell() - (len(data) - len(view)))
            raise

    @property
    def reserves_space(self) -> bool:
        """Whether the journal reserves disk space ahead of its end (Linux, and a filesystem that agrees)."""
        return self._reserving

    def _reserve(self, size: int) -> None:
        """Reserve disk space past the end (file size unchanged) when the next `size` bytes would
        pass the reservation; a filesystem that refuses stops being asked."""
        end = self._file.tell() + size
        if not self._reserving or end <= self._reserved_end:
            return
        start = self._file.tell()
        length = max(RESERVE_BYTES, size)
        if _FALLOCATE(self._file.fileno(), _FALLOC_FL_KEEP_SIZE, start, length) == 0:
            self._reserved_end = start + length
        else:
            self._reserving = False  # e.g. EOPNOTSUPP on tmpfs before Linux 3.5 or on some network filesystems

    def close(self) -> None:
        """Flush and close the file, giving back the disk space reserved past its end."""
        if not self._file.closed:
            self.flush()
            if self._reserved_end > self._file.tell():
                self._file.truncate(self._file.tell())  # frees the blocks past the end, keeps every frame
            self._file.close()

    def __enter__(self) -> FileJournal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_journal(path: str | os.PathLike[str]) -> Iterator[JournalEntry]:
    """Every complete frame of a journal file, in order; a torn last frame is ignored.

    Raises `JournalCorruptionError` (file and offset) at the first complete frame that fails its
    checksum or does not decode, after yielding every entry before it.
    """
    with open(path, "rb") as file:
        magic = file.read(len(MAGIC))
        file.seek(0)
        previous_seq: int | None = None
        for offset, payload in _frames(file, str(path)):
            try:
                if magic == MAGIC:
                    entries = entries_from_text(payload.decode("utf-8", "surrogatepass"), previous_seq)
                else:
                    entries = [(seq, record_to_command(record)) for seq, record in _unpickled_rows(payload, magic)]
            # ValueError covers CommandFormatError and UnicodeDecodeError
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
                raise JournalCorruptionError(str(path), offset, f"undecodable payload: {exc}") from exc
            for seq, command in entries:
                yield JournalEntry(seq, command)
            if entries:
                previous_seq = entries[-1][0]


def write_snapshot(path: str | os.PathLike[str], snapshot: EngineSnapshot, *, fsync: bool = True) -> None:
    """Atomically replace the snapshot file at `path` (`fsync=False` only where durability does not
    matter, such as tests: the rename is still atomic, but a power cut may lose the new file)."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(snapshot_to_plain(snapshot), file, separators=(",", ":"))
        file.flush()
        if fsync:
            os.fsync(file.fileno())
    os.replace(temporary, target)


def read_snapshot(path: str | os.PathLike[str]) -> EngineSnapshot | None:
    """The snapshot at `path`, or None when there is none yet."""
    try:
        with open(path, encoding="utf-8") as file:
            plain: Any = json.load(file)
    except FileNotFoundError:
        return None
    return snapshot_from_plain(plain)


def _unpickled_rows(payload: bytes, magic: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """`(seq, record)` of a format 2 frame (pairs) or a format 1 frame (flat tuples `(seq, *record)`)."""
    rows = _RestrictedUnpickler(io.BytesIO(payload)).load()
    if magic == MAGIC_FORMAT_2:
        return [(seq, record) for seq, record in rows]
    return [(seq, tuple(record)) for seq, *record in rows]


class _RestrictedUnpickler(pickle.Unpickler):
    """Loads plain tuples, strings, ints and None only: any global reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"journal frames hold no objects, found {module}.{name}")


def _frames(file: io.BufferedReader, path: str) -> Iterator[tuple[int, bytes]]:
    """(offset, payload) of every complete frame, checksums verified (formats 3 and 2) or not (format 1)."""
    start = file.read(len(MAGIC))
    checked = start in (MAGIC, MAGIC_FORMAT_2)
    if not checked:
        if MAGIC.startswith(start):
            return  # empty, or a crash cut the magic short: no frame was ever complete
        file.seek(0)  # format 1
    header = _HEADER if checked else _LENGTH
    offset = file.tell()
    while True:
        head = file.read(header.size)
        if len(head) < header.size:
            return
        size, payload_crc, head_crc = _HEADER.unpack(head) if checked else (*_LENGTH.unpack(head), 0, 0)
        if checked and zlib.crc32(head[: _CHECKED.size]) != head_crc:
            raise JournalCorruptionError(path, offset, "frame header checksum mismatch")
        payload = file.read(size)
        if len(payload) < size:
            return
        if checked and zlib.crc32(payload) != payload_crc:
            raise JournalCorruptionError(path, offset, "payload checksum mismatch")
        yield offset, payload
        offset += header.size + size


def _valid_end(path: Path) -> int:
    """The offset just past the last complete frame of a format 3 journal (0 if it has none);
    verifies every checksum on the way, so a damaged journal is never appended to."""
    with open(path, "rb") as file:
        start = file.read(len(MAGIC))
        if start == MAGIC_FORMAT_2:
            raise CommandFormatError(f"{path}: journal format 2 (pickled frames) is read-only; start a new file")
        if start != MAGIC and not MAGIC.startswith(start):
            raise CommandFormatError(f"{path}: journal format 1 (no checksums) is read-only; start a new file")
        file.seek(0)
        end = 0
        for offset, payload in _frames(file, str(path)):
            end = offset + _HEADER.size + len(payload)
        return end
