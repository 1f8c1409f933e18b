"""A wallet's deposit and withdrawal history: the read side of `/v1/accounts/{address}/deposits`
and `/withdrawals`, newest first.

Deposits are the indexer's `Deposited` events; their status says how far the chain has confirmed them:
`pending` (seen, not yet final), `confirmed` (final: credited in the ledger), `frozen` (final, but
held by compliance: a deposit by a blocked address) or `orphaned` (its block was reorganised away:
never credited, or credited and reversed). Withdrawals are the relayed requests, with their own
states: accepted -> relaying -> relayed -> completed, or failed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.db.models import ChainCursor, ChainEvent, FrozenFunds, WithdrawalRequest
from backend.statuses import ChainEventStatus
from backend.trading.rules.tokens import TokenInfo, token_fields

DEPOSIT_STATUS: dict[str, str] = {
    ChainEventStatus.PENDING: "pending",
    ChainEventStatus.FINAL: "confirmed",
    ChainEventStatus.ORPHANED: "orphaned",
}


def account_deposits(
    session: Session,
    chain_id: int,
    wallet: str,
    tokens: dict[str, TokenInfo],
    limit: int,
    before_id: int | None,
) -> list[dict[str, Any]]:
    """The wallet's deposits, newest first, as JSON (`id` is the page key)."""
    query = select(ChainEvent).where(
        ChainEvent.chain_id == chain_id,
        ChainEvent.name == "Deposited",
        ChainEvent.args["wallet"].as_string() == wallet,
    )
    if before_id is not None:
        query = query.where(ChainEvent.id < before_id)
    events = session.scalars(query.order_by(ChainEvent.id.desc()).limit(limit)).all()
    frozen = set(
        session.scalars(
            select(FrozenFunds.chain_event_id).where(
                FrozenFunds.chain_event_id.in_([e.id for e in events]), FrozenFunds.released_at.is_(None)
            )
        )
    )
    scanned = session.scalar(select(ChainCursor.last_block).where(ChainCursor.chain_id == chain_id))
    return [
        {
            "id": str(event.id),
            **token_fields(tokens, str(event.args["token"])),
            "amount": str(event.args["amount"]),
            "status": "frozen" if event.id in frozen else DEPOSIT_STATUS[event.status],
            "txHash": event.tx_hash,
            "logIndex": event.log_index,
            "blockNumber": event.block_number,
            "blockHash": event.block_hash,
            # As far as the indexer has scanned; 0 once orphaned.
            "confirmations": 0
            if event.status == ChainEventStatus.ORPHANED or scanned is None
            else max(0, scanned - event.block_number + 1),
            "seenAt": int(event.seen_at.timestamp() * 1000),
        }
        for event in events
    ]


def account_withdrawals(
    session: Session,
    chain_id: int,
    wallet: str,
    tokens: dict[str, TokenInfo],
    limit: int,
    before: tuple[int, str] | None,
) -> list[dict[str, Any]]:
    """The wallet's withdrawal requests, newest first, as JSON (`createdAt` and `hash` are the page key)."""
    query = select(WithdrawalRequest).where(WithdrawalRequest.wallet == wallet)
    if before is not None:
        millis, key = before
        query = query.where(
            or_(
                WithdrawalRequest.created_at_ms < millis,
                and_(WithdrawalRequest.created_at_ms == millis, WithdrawalRequest.hash < key),
            )
        )
    rows = session.scalars(
        query.order_by(WithdrawalRequest.created_at_ms.desc(), WithdrawalRequest.hash.desc()).limit(limit)
    ).all()
    mined: dict[str, int] = {
        tx_hash: block
        for tx_hash, block in session.execute(
            select(ChainEvent.tx_hash, ChainEvent.block_number).where(
                ChainEvent.chain_id == chain_id,
                ChainEvent.name == "Withdrawn",
                ChainEvent.status != ChainEventStatus.ORPHANED,
                ChainEvent.tx_hash.in_([r.tx_hash for r in rows if r.tx_hash]),
            )
        )
    }
    return [
        {
            "hash": row.hash,
            **token_fields(tokens, row.token),
            "amount": str(row.amount),
            "fee": str(row.fee),
            "maxFee": str(row.max_fee),
            "recipient": row.recipient,
            "nonce": str(row.nonce),
            "status": row.status,
            "failure": row.failure,
            "txHash": row.tx_hash,
            "blockNumber": mined.get(row.tx_hash) if row.tx_hash else None,
            "createdAt": row.created_at_ms,
            "updatedAt": row.updated_at_ms,
        }
        for row in rows
    ]
