"""What a rule reports: which wallets, why, and the evidence (JSON-ready: amounts as decimal strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Rule(StrEnum):
    STRUCTURING = "structuring"
    VELOCITY = "velocity"
    RAPID_IN_OUT = "rapid_in_out"
    WASH_TRADING = "wash_trading"


@dataclass(frozen=True, slots=True)
class Finding:
    """One match of a rule.

    `wallets`: the subject first (wash trading: both wallets of the pair, in address order). `key`: what makes
    this finding the same one when a later pass sees it again (the alert's dedup key is built from it).
    `refs`: every movement the finding rests on ("fill:12", "withdrawal:0x..", "deposit:7"), so a monitor can
    tell a finding with new evidence from one it already reported."""

    rule: Rule
    wallets: tuple[str, ...]
    key: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    refs: frozenset[str] = frozenset()


def bps_of(amount: int, bps: int) -> int:
    """`bps` basis points of `amount`, rounded down (thresholds: a bound that rounds down alerts sooner)."""
    return amount * bps // 10_000


def runs(times: list[int], window_ms: int, min_count: int) -> list[tuple[int, int]]:
    """The runs in sorted `times`: maximal index ranges [start, end) in which the items are covered by windows
    of `min_count` consecutive items each spanning at most `window_ms`; two such windows that share an item
    belong to one run."""
    found: list[tuple[int, int]] = []
    start = end = -1
    for right in range(min_count - 1, len(times)):
        left = right - min_count + 1
        if times[right] - times[left] > window_ms:
            continue
        if start >= 0 and left < end:  # overlaps the run: one scheme, one finding
            end = right + 1
        else:
            if start >= 0:
                found.append((start, end))
            start, end = left, right + 1
    if start >= 0:
        found.append((start, end))
    return found
