"""The journal and snapshots on local disk.

Journal file: a sequence of frames, each a 4-byte little-endian length and a pickle (protocol 5) of
a list of tuples `(seq, *record)`, `record` being `backend.engine.records.command_to_record(command)`.
Pickle is used as a compact, C-speed encoder of plain lists and tuples only: the reader refuses
every global, so a journal file can never make the reader import or run anything. A frame cut
short by a crash (the torn tail) is ignored on read and truncated away when the journal is reopened.

Durability, group commit: `append` only queues the (immutable) command in memory; `flush()` encodes
everything queued as one frame, hands it to the OS and, with `fsync=True`, forces it to disk. The
host calls `flush()` before it publishes the events of the commands appended so far, so an event is
never visible before its command is durable. Encoding a batch in one `pickle.dumps` costs a fraction
of encoding each command on its own. `max_pending` bounds the queue if a host forgets to flush.
`flush()` may run on another thread than `append` (the host's batch writer): it writes exactly the
commands queued when it started and leaves any appended meanwhile for the next flush.

Snapshot file: the canonical JSON of `snapshot_to_plain`, written to a temporary file, fsynced and
renamed over the old one, so a crash leaves either the old or the new snapshot, never half of one.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from backend.engine.commands import Command
from backend.engine.errors import CommandFormatError
from backend.engine.journal import JournalEntry
from backend.engine.records import command_to_record, record_to_command
from backend.engine.snapshot import EngineSnapshot, snapshot_from_plain, snapshot_to_plain

_HEADER = struct.Struct("<I")
_PROTOCOL = 5


class FileJournal:
    """Appends commands to a journal file (see the module docs); satisfies `Journal`."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True, max_pending: int = 65_536) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._max_pending = max_pending
        self._pending: list[tuple[int, Command]] = []
        self._flushing = threading.Lock()  # one writer of frames, even when a full queue flushes in `append`
        valid_end = _scan_valid_end(self.path) if self.path.exists() else 0
        self._file = open(self.path, "ab")  # noqa: SIM115 - lives until close()
        if self._file.tell() != valid_end:
            self._file.truncate(valid_end)  # drop the torn tail a crash left behind

    def append(self, seq: int, command: Command) -> None:
        """Queue one command; it is durable only after the next `flush()`."""
        pending = self._pending
        pending.append((seq, command))
        if len(pending) >= self._max_pending:
            self.flush()

    def flush(self) -> None:
        """Write everything queued as one frame and, if so configured, fsync it."""
        with self._flushing:
            pending = self._pending
            count = len(pending)  # slicing and deleting a list are atomic: a concurrent append survives
            if count:
                payload = pickle.dumps([(seq, *command_to_record(c)) for seq, c in pending[:count]], _PROTOCOL)
                self._file.write(_HEADER.pack(len(payload)) + payload)
                del pending[:count]
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush and close the file."""
        if not self._file.closed:
            self.flush()
            self._file.close()

    def __enter__(self) -> FileJournal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_journal(path: str | os.PathLike[str]) -> Iterator[JournalEntry]:
    """Every complete frame of a journal file, in order; a torn last frame is ignored.

    Raises `CommandFormatError` for a complete frame that does not decode (corruption, not a crash).
    """
    with open(path, "rb") as file:
        for payload in _frames(file):
            try:
                rows = _RestrictedUnpickler(io.BytesIO(payload)).load()
                entries = [(seq, tuple(record)) for seq, *record in rows]
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
                raise CommandFormatError(f"corrupt journal frame: {exc}") from exc
            for seq, record in entries:
                yield JournalEntry(seq, record_to_command(record))


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


class _RestrictedUnpickler(pickle.Unpickler):
    """Loads plain tuples, strings, ints and None only: any global reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"journal frames hold no objects, found {module}.{name}")


def _frames(file: io.BufferedReader) -> Iterator[bytes]:
    while True:
        header = file.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(header)
        payload = file.read(size)
        if len(payload) < size:
            return
        yield payload


def _scan_valid_end(path: Path) -> int:
    """The offset just past the last complete frame; reads only the frame headers."""
    size = path.stat().st_size
    end = 0
    with open(path, "rb") as file:
        while True:
            header = file.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return end
            frame_end = end + _HEADER.size + _HEADER.unpack(header)[0]
            if frame_end > size:
                return end
            end = file.seek(frame_end)
