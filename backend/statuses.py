"""The status words that more than one package writes or reads: one spelling for each.

Every value is the exact string stored in the database and sent in JSON, so a `StrEnum` member
compares equal to the stored text and serialises unchanged. A status known to one package only
stays in that package.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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

# How a failed withdrawal's `failure` begins, as the relayer records it (`code: detail`): the dApp and the account
# e-mail tell the wallet why in words of its language from the code alone (dapp/src/features/funds/withdrawal.ts).
BLOCKED_BY_SCREENING = "blocked_by_screening"  # a party screened blocked (a fill's failure begins so too)
INVALID_RECIPIENT = "invalid_recipient"  # the zero address or the Exchange
RECIPIENT_REVERTED = "recipient_reverted"  # ether to this recipient reverted lately
RECIPIENT_GAS = "recipient_gas"  # taking it would need more gas than a withdrawal may use
RECIPIENT_FAILURES = frozenset({INVALID_RECIPIENT, RECIPIENT_REVERTED, RECIPIENT_GAS})


def blocked_by_screening(roles: Sequence[str]) -> str:
    """The failure of a withdrawal or fill whose `roles` (wallet, recipient; maker, taker) screened blocked."""
    return f"{BLOCKED_BY_SCREENING}:{'+'.join(roles)}"


def withdrawal_failure_kind(failure: str | None) -> str:
    """ "screening", "recipient" (the destination cannot take it) or "other" (the chain, the operator)."""
    code = re.match(r"[a-z_]+", failure or "")
    if code is None:
        return "other"
    if code[0] == BLOCKED_BY_SCREENING:
        return "screening"
    return "recipient" if code[0] in RECIPIENT_FAILURES else "other"
