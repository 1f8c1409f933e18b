"""Withdrawal requests as both the API and the relayer read them: whether a wallet's ether withdrawal to another
address reverted on-chain lately.

A recipient contract decides what taking ether costs, and may behave in the relayer's simulation (a zero gas
price, a flag it flips) but not on-chain: each such withdrawal costs the operator a reverted transaction and costs
its requester nothing (the hold goes back). After one such revert, the wallet sends that recipient no ether for a
while (HDEX_WITHDRAWAL_REVERT_COOLDOWN_S): the API refuses new requests, and the relayer fails the queued ones.
Only ether to another address counts: a token transfer, or ether to the wallet itself, calls no code of the
recipient's, so its revert had another cause (mined past its expiry, the balance gone through the exit hatch),
and a recipient is never barred by someone else's withdrawals.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from backend.db.models import WithdrawalRequest
from backend.statuses import REVERTED_ON_CHAIN, WithdrawalStatus
from backend.trading.rules.tokens import ETH


def reverted_lately(session: Session, wallet: str, token: str, recipient: str, cooldown_s: int, now_ms: int) -> bool:
    """Whether `wallet`'s ether withdrawal to `recipient` (another address; EIP-55, all three) failed because its
    transaction reverted on-chain within the last `cooldown_s` before `now_ms`; False for a token, ether to the
    wallet itself, or no cooldown."""
    if not cooldown_s or token != ETH or recipient == wallet:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    WithdrawalRequest.recipient == recipient,
                    WithdrawalRequest.wallet == wallet,
                    WithdrawalRequest.token == ETH,
                    WithdrawalRequest.status == WithdrawalStatus.FAILED,
                    WithdrawalRequest.failure.startswith(REVERTED_ON_CHAIN, autoescape=True),
                    WithdrawalRequest.updated_at_ms >= now_ms - cooldown_s * 1000,
                )
            )
        )
    )


def cooldown_words(cooldown_s: int) -> str:
    """The cooldown in a sentence's words ("24 hours")."""
    return f"{cooldown_s // 3600} hours" if cooldown_s >= 7200 else f"{max(1, cooldown_s // 60)} minutes"
