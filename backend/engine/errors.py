"""Exceptions the engine raises. Business outcomes are events with a `ResultCode`, never
exceptions: these are for callers that misuse the API or for corrupt input files."""

from __future__ import annotations


class EngineError(Exception):
    """Root of every engine exception."""


class UnknownMarketError(EngineError, KeyError):
    """A query named a market the engine does not have."""


class JournalGapError(EngineError, ValueError):
    """Journal entries are not the contiguous sequence that follows the snapshot."""


class CommandFormatError(EngineError, ValueError):
    """A serialized command (JSON line or journal record) does not describe a valid command."""


class JournalCorruptionError(CommandFormatError):
    """A complete journal frame fails its checksum or does not decode: damage, not a crash.

    `path` and `offset` (bytes from the start of the file) say where the first bad frame starts;
    a reader stops there, nothing from that frame on is replayed.
    """

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(f"{path}: corrupt journal frame at byte offset {offset}: {reason}")
        self.path = path
        self.offset = offset
