"""How audit entries chain: a canonical encoding, SHA-256 over it and the previous entry's hash.

Pure rules, no database. The encoding is JSON with sorted keys, no spaces and ASCII escapes, so the
same entry always gives the same bytes on every platform and database; `before` and `after` enter as
the canonical JSON text that is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64  # the `prev_hash` of entry 1


@dataclass(frozen=True)
class ChainedFields:
    """What an entry's hash covers: all of it but the hash itself."""

    seq: int
    at_ms: int
    actor: str
    action: str
    target: str | None
    before: str  # canonical JSON text
    after: str  # canonical JSON text
    ip: str | None
    prev_hash: str


def canonical_json(value: Any) -> str:
    """`value` as canonical JSON text (sorted keys, no whitespace, ASCII only, no NaN)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def entry_hash(fields: ChainedFields) -> str:
    """SHA-256 (hex) of the canonical encoding of `fields`."""
    encoded = canonical_json(
        {
            "seq": fields.seq,
            "at_ms": fields.at_ms,
            "actor": fields.actor,
            "action": fields.action,
            "target": fields.target,
            "before": fields.before,
            "after": fields.after,
            "ip": fields.ip,
            "prev_hash": fields.prev_hash,
        }
    )
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Broken:
    """The first place the chain does not hold, and what it means."""

    seq: int
    problem: str


def first_break(entries: Iterable[tuple[ChainedFields, str]], head_seq: int, head_hash: str) -> Broken | None:
    """The first entry (in `seq` order, with its stored hash) that was edited or deleted, or None if the
    chain holds from entry 1 to the head (`head_seq`, `head_hash`)."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for fields, stored_hash in entries:
        if fields.seq != expected_seq:
            return Broken(expected_seq, f"entry {expected_seq} was deleted (the next one is {fields.seq})")
        if fields.prev_hash != prev_hash:
            if expected_seq == 1:
                return Broken(1, "entry 1 was edited: it does not start the chain")
            return Broken(
                expected_seq - 1,
                f"entry {expected_seq - 1} was edited or replaced: entry {expected_seq} no longer links to it",
            )
        if entry_hash(fields) != stored_hash:
            return Broken(expected_seq, f"entry {expected_seq} was edited: its content no longer matches its hash")
        expected_seq, prev_hash = expected_seq + 1, stored_hash
    if expected_seq - 1 != head_seq or prev_hash != head_hash:
        if expected_seq - 1 < head_seq:
            return Broken(expected_seq, f"entries {expected_seq} to {head_seq} were deleted (the head is {head_seq})")
        return Broken(expected_seq - 1, f"entry {expected_seq - 1} does not match the recorded head")
    return None
