"""The journal as the pure core sees it: an append-only, sequence-numbered log of commands.

The engine appends every command it is given (rejected ones too, since they consume event sequence
numbers) before it runs it, so the log is a write-ahead log. Where the entries go, how they are
encoded and when they are flushed and fsynced is the storage adapter's business
(`backend.engine.adapters.file_journal`); a host publishes a batch of events only after the
adapter's `flush()` returned (group commit).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from mypy_extensions import mypyc_attr

from backend.engine.commands import Command


class Journal(Protocol):
    """Where the engine writes each command, with its engine-wide sequence number, before running it."""

    def append(self, seq: int, command: Command) -> None:
        """Record `command` as number `seq` (1, 2, 3, ... without gaps)."""


class JournalEntry(NamedTuple):
    """One journaled command."""

    seq: int
    command: Command


@mypyc_attr(allow_interpreted_subclasses=True)
class PendingCommands:
    """A `Journal` whose `append` only queues, in the compiled core: a storage adapter subclasses it
    and writes `pending` out in `flush()` (group commit), so no Python frame runs per command."""

    def __init__(self, max_pending: int) -> None:
        self.pending: list[tuple[int, Command]] = []
        self.max_pending = max_pending

    def append(self, seq: int, command: Command) -> None:
        """Queue one command; it is durable only after the next `flush()` (called here when full)."""
        pending = self.pending
        pending.append((seq, command))
        if len(pending) >= self.max_pending:
            self.flush()

    def flush(self) -> None:
        """Write out what is pending: the adapter's part."""
        raise NotImplementedError
