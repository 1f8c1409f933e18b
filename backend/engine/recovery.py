"""Crash recovery, pure: the latest snapshot plus the journal entries after it rebuild the engine."""

from __future__ import annotations

from collections.abc import Iterable

from backend.engine.book import OrderBook
from backend.engine.engine import Engine
from backend.engine.errors import JournalGapError
from backend.engine.journal import Journal, JournalEntry
from backend.engine.orders import BookFactory
from backend.engine.snapshot import EngineSnapshot


def recover(
    snapshot: EngineSnapshot | None,
    entries: Iterable[JournalEntry],
    book_factory: BookFactory = OrderBook,
    journal: Journal | None = None,
) -> Engine:
    """Restore `snapshot` (or start empty) and re-apply every entry after it, in order.

    Entries at or before the snapshot are skipped (a journal usually spans several snapshots). The
    rest must continue the sequence without a gap, else `JournalGapError`: replaying around a hole
    would silently build a different book. Replayed events are dropped, as they were published
    before the crash; `journal`, if given, receives only the commands applied after recovery.
    """
    engine = Engine(book_factory) if snapshot is None else Engine.restore(snapshot, book_factory)
    for seq, command in entries:
        if seq <= engine.command_seq:
            continue
        if seq != engine.command_seq + 1:
            raise JournalGapError(f"journal jumps from {engine.command_seq} to {seq}")
        engine.apply(command)
    engine.attach_journal(journal)
    return engine
