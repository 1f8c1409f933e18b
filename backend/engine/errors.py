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
