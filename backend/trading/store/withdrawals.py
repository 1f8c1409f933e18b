"""Withdrawal requests as both the API and the relayer read them: whether a recipient reverted one on-chain lately.

A recipient contract decides what taking ETH costs, and may behave in the relayer's simulation (a zero gas price,
a flag it flips) but not on-chain: each such withdrawal costs the operator a reverted transaction and costs its
requester nothing (the hold goes back). After one such revert, the recipient takes no withdrawal for a while
(HDEX_WITHDRAWAL_REVERT_COOLDOWN_S): the API refuses new ones, and the relayer fails the ones queued for it.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from backend.db.models import WithdrawalRequest
from backend.statuses import WithdrawalStatus

REVERTED_ON_CHAIN = "reverted on-chain"  # how the failure of an operator transaction that reverted begins


def reverted_lately(session: Session, recipient: str, since_ms: int) -> bool:
    """Whether a withdrawal to `recipient` (EIP-55) failed because its transaction reverted on-chain at or after
    `since_ms`."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    WithdrawalRequest.recipient == recipient,
                    WithdrawalRequest.status == WithdrawalStatus.FAILED,
                    WithdrawalRequest.failure.startswith(REVERTED_ON_CHAIN, autoescape=True),
                    WithdrawalRequest.updated_at_ms >= since_ms,
                )
            )
        )
    )


def cooldown_words(cooldown_s: int) -> str:
    """The cooldown in a sentence's words ("24 hours")."""
    return f"{cooldown_s // 3600} hours" if cooldown_s >= 7200 else f"{max(1, cooldown_s // 60)} minutes"
