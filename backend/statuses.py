"""The status words that more than one package writes or reads: one spelling for each.

Every value is the exact string stored in the database and sent in JSON, so a `StrEnum` member
compares equal to the stored text and serialises unchanged. A status known to one package only
stays in that package.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """An order's life: on the book (`open`) until it fills, is cancelled or expires."""

    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class FillStatus(StrEnum):
    """A fill's settlement: the engine writes `unsettled`, the relayer moves it on, the engine releases
    its holds once it is `settled` (seen final) or `failed`."""

    UNSETTLED = "unsettled"
    SETTLING = "settling"
    SETTLED = "settled"
    FAILED = "failed"


class WithdrawalStatus(StrEnum):
    """A withdrawal request: accepted by the API, relayed by the relayer, completed when the indexer
    has seen its Withdrawn event final, or failed."""

    ACCEPTED = "accepted"
    RELAYING = "relaying"
    RELAYED = "relayed"
    COMPLETED = "completed"
    FAILED = "failed"


class ChainEventStatus(StrEnum):
    """A chain event the indexer stored: `pending` until deep enough to be `final`, `orphaned` when a
    reorg took its block away."""

    PENDING = "pending"
    FINAL = "final"
    ORPHANED = "orphaned"


REVERTED_ON_CHAIN = "reverted on-chain"  # how the error of an operator transaction that reverted begins (relayer)
