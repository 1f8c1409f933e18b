"""An engine whose state survives a crash: a journal and periodic snapshots in one directory.

This is the host-side loop the design asks for, in one place: every command is journaled before
its events are published (`submit` flushes the journal, one group commit per batch, and only then
returns the events), and a snapshot is written every `snapshot_every` commands. Opening the
directory again recovers: latest snapshot, then the journal after it (`backend.engine.recover`).
The journal is one growing file; recovery skips the entries a snapshot already holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from backend.engine.adapters.file_journal import FileJournal, read_journal, read_snapshot, write_snapshot
from backend.engine.commands import Command
from backend.engine.engine import Engine
from backend.engine.events import Event
from backend.engine.recovery import recover

JOURNAL_FILE = "engine.journal"
SNAPSHOT_FILE = "engine.snapshot.json"


class DurableEngine:
    """Owns an `Engine` plus its journal and snapshots under `directory` (see the module docs)."""

    def __init__(self, directory: str | os.PathLike[str], *, snapshot_every: int = 100_000, fsync: bool = True) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._snapshot_every = snapshot_every
        self._fsync = fsync
        journal_path = self.directory / JOURNAL_FILE
        snapshot = read_snapshot(self.directory / SNAPSHOT_FILE)
        entries = read_journal(journal_path) if journal_path.exists() else []
        self._journal = FileJournal(journal_path, fsync=fsync)
        self.engine: Engine = recover(snapshot, entries, journal=self._journal)
        self._snapshot_seq = 0 if snapshot is None else snapshot.command_seq

    def submit(self, commands: Iterable[Command]) -> list[Event]:
        """Apply a batch; return its events once every command of it is durable."""
        apply = self.engine.apply
        events = [event for command in commands for event in apply(command)]
        self._journal.flush()
        if self.engine.command_seq - self._snapshot_seq >= self._snapshot_every:
            self.snapshot()
        return events

    def snapshot(self) -> None:
        """Write a snapshot now (the journal is flushed first, so it never lags the snapshot)."""
        self._journal.flush()
        write_snapshot(self.directory / SNAPSHOT_FILE, self.engine.snapshot(), fsync=self._fsync)
        self._snapshot_seq = self.engine.command_seq

    def close(self) -> None:
        """Flush and close the journal."""
        self._journal.close()

    def __enter__(self) -> DurableEngine:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
