"""The engine's journal and snapshot files under `<data_dir>/engine/<chain id>/`.

The journal is split into segments `journal-<first seq>.bin`, one per process start or snapshot
rotation. A crash can leave commands in a segment beyond what the database committed (the journal
is flushed first); those commands were never acknowledged, so recovery stops at the database's
`engine_seq`, and the next segment starts right after it. Reading therefore takes each segment's
entries only below the next segment's first sequence number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.engine import EngineSnapshot, JournalEntry
from backend.engine.adapters.file_journal import FileJournal, read_journal, read_snapshot, write_snapshot


class JournalStore:
    """Segments and the snapshot of one engine."""

    def __init__(self, directory: Path, fsync: bool = True) -> None:
        self.directory = directory
        self.fsync = fsync
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def snapshot_path(self) -> Path:
        return self.directory / "snapshot.json"

    def segments(self) -> list[tuple[int, Path]]:
        """(first seq, path) of every segment, oldest first."""
        found = []
        for path in self.directory.glob("journal-*.bin"):
            try:
                found.append((int(path.stem.removeprefix("journal-")), path))
            except ValueError:
                continue
        return sorted(found)

    def entries(self, up_to: int) -> Iterator[JournalEntry]:
        """Every journaled command with seq <= `up_to`, in order (see the module docs)."""
        segments = self.segments()
        for index, (_, path) in enumerate(segments):
            limit = segments[index + 1][0] if index + 1 < len(segments) else up_to + 1
            for entry in read_journal(path):
                if entry.seq >= limit or entry.seq > up_to:
                    break
                yield entry

    def snapshot(self) -> EngineSnapshot | None:
        return read_snapshot(self.snapshot_path)

    def rotate(self, snapshot: EngineSnapshot) -> FileJournal:
        """Write `snapshot`, drop every segment, and start the segment after the snapshot.

        Only called when the snapshot's state is committed: older segments are covered by it, and
        anything after it was never acknowledged.
        """
        write_snapshot(self.snapshot_path, snapshot)
        for _, path in self.segments():
            path.unlink(missing_ok=True)
        first = snapshot.command_seq + 1
        return FileJournal(self.directory / f"journal-{first:016d}.bin", fsync=self.fsync)
