"""The journal as the pure core sees it: an append-only, sequence-numbered log of commands.

The engine appends every command it is given (rejected ones too, since they consume event sequence
numbers) before it runs it, so the log is a write-ahead log. Where the entries go, how they are
framed and when they are flushed and fsynced is the storage adapter's business
(`backend.engine.adapters.file_journal`); a host publishes a batch of events only after the
adapter's `flush()` returned (group commit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol, final

from mypy_extensions import mypyc_attr

from backend.engine.commands import Command
from backend.engine.records import record_text


class Journal(Protocol):
    """Where the engine writes each command, with its engine-wide sequence number, before running it."""

    def append(self, seq: int, command: Command) -> None:
        """Record `command` as number `seq` (1, 2, 3, ... without gaps)."""


class JournalEntry(NamedTuple):
    """One journaled command."""

    seq: int
    command: Command


@final
class JournalBuffer:
    """The records of the next journal frame, encoded as they are appended (compiled core).

    `append` turns each command into its field text at once (`records.record_text`), so nothing is
    kept per command for the cycle collector to scan and a frame is one join. Appending and writing
    out may run on two threads (the engine's and a host's batch writer): `pending_payload` and
    `drop` hand out and forget exactly the records queued when the writer started.
    """

    def __init__(self, max_pending: int, on_full: Callable[[], None]) -> None:
        self._records: list[str] = []
        self._next_seq = -1  # the seq a record may leave implicit (the previous one's plus one); none yet
        self.max_pending = max_pending
        self._on_full = on_full

    def append(self, seq: int, command: Command) -> None:
        """Queue one command; `on_full` runs first once `max_pending` of them wait. Should it (or encoding the
        command) fail, nothing of this command is queued: the engine does not run it, and it must not be in the
        journal, or a replay would run a command the live engine never did."""
        records = self._records
        if len(records) >= self.max_pending:
            self._on_full()
        records.append(record_text("" if seq == self._next_seq else str(seq), command))
        self._next_seq = seq + 1

    def pending_payload(self) -> tuple[bytes, int]:
        """The payload of one frame holding every queued record (UTF-8; lone surrogates, which a str
        may hold, pass through), and how many records it holds."""
        records = self._records
        count = len(records)  # a record appended from here on waits for the next frame
        return "".join(records[:count]).encode("utf-8", "surrogatepass"), count

    def drop(self, count: int) -> None:
        """Forget the first `count` records: their frame is written."""
        del self._records[:count]


@mypyc_attr(allow_interpreted_subclasses=True)
class BufferedJournal:
    """A `Journal` that encodes in the compiled core: a storage adapter subclasses it and writes
    `buffer` out in `flush()`. The engine appends to `buffer` itself, a direct call in the compiled
    core where a call through this class would go through Python."""

    def __init__(self, max_pending: int) -> None:
        self.buffer = JournalBuffer(max_pending, self.flush)

    def append(self, seq: int, command: Command) -> None:
        """Queue one command; it is durable only after the next `flush()` (called here when full)."""
        self.buffer.append(seq, command)

    def flush(self) -> None:
        """Write out what is queued: the adapter's part."""
        raise NotImplementedError
