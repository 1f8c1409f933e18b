"""The journal as the pure core sees it: an append-only, sequence-numbered log of commands.

The engine appends every command it is given (rejected ones too, since they consume event sequence
numbers) before it runs it, so the log is a write-ahead log. Where the entries go, how they are
encoded and when they are flushed and fsynced is the storage adapter's business
(`backend.engine.adapters.file_journal`); a host publishes a batch of events only after the
adapter's `flush()` returned (group commit).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from backend.engine.commands import Command


class Journal(Protocol):
    """Where the engine writes each command, with its engine-wide sequence number, before running it."""

    def append(self, seq: int, command: Command) -> None:
        """Record `command` as number `seq` (1, 2, 3, ... without gaps)."""


class JournalEntry(NamedTuple):
    """One journaled command."""

    seq: int
    command: Command
