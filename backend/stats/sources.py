"""Reading the rollups' sources: fills, the ledger's deposits and withdrawals, behaviour events, wallet sessions.

A deposit is the indexer's "deposit" ledger transaction, a withdrawal its "withdrawal" or "exit_withdrawal"
one, each final on-chain; one that a deep reorg reversed (a "reversal" transaction points at it) counts as
never having happened. Amounts are the outside world's entry: what came in, what left (a withdrawal's fee
stays in the Exchange).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from backend.db.models import Fill, LedgerEntry, LedgerTransaction, StatsEvent
from backend.ledger.postings import EXTERNAL
from backend.stats.days import datetime_ms, day_bounds
from backend.stats.figures import FillRow
from backend.statuses import FillStatus

DEPOSIT = "deposit"
WITHDRAWAL_REASONS = ("withdrawal", "exit_withdrawal")
FLOW_REASONS = (DEPOSIT, *WITHDRAWAL_REASONS)
REVERSAL = "reversal"
SIGNED_IN = "signed_in"
WALLET_CONNECTED = "wallet_connected"


@dataclass(frozen=True, slots=True)
class Flow:
    """One deposit or withdrawal: its ledger transaction, kind, wallet, token, amount and when it was credited."""

    tx_id: int
    kind: str  # deposit | withdrawal
    wallet: str
    token: str
    amount: int
    at_ms: int


def _widened(day: str) -> tuple[datetime, datetime]:
    # Stored DateTimes compare as text on SQLite and with a zone on PostgreSQL: select a day either side, then
    # keep the day's own rows in Python by their epoch ms.
    start, end = day_bounds(day)
    return (
        datetime.fromtimestamp(start / 1000, tz=UTC) - timedelta(days=1),
        datetime.fromtimestamp(end / 1000, tz=UTC) + timedelta(days=1),
    )


def _not_reversed() -> ColumnElement[bool]:
    reversed_ids = select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.is_not(None))
    return LedgerTransaction.id.not_in(reversed_ids)


def flows_of_transactions(session: Session, tx_ids: Sequence[int]) -> list[Flow]:
    """The deposits and withdrawals among these ledger transactions (reversed or not)."""
    if not tx_ids:
        return []
    return _flows(session, LedgerTransaction.id.in_(list(tx_ids)))


def _flows(session: Session, *where: ColumnElement[bool]) -> list[Flow]:
    rows = session.execute(
        select(LedgerTransaction.id, LedgerTransaction.reason, LedgerTransaction.created_at, LedgerEntry.account,
               LedgerEntry.token, LedgerEntry.amount)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.reason.in_(FLOW_REASONS), *where)
        .order_by(LedgerTransaction.id, LedgerEntry.id)
    ).all()  # fmt: skip
    by_tx: dict[int, list[tuple[str, datetime, str, str, int]]] = {}
    for tx_id, reason, created, account, token, amount in rows:
        by_tx.setdefault(tx_id, []).append((reason, created, account, token, amount))
    flows = []
    for tx_id, entries in by_tx.items():
        reason, created = entries[0][0], entries[0][1]
        external = [e for e in entries if e[2] == EXTERNAL]
        if not external:
            continue
        deposit = reason == DEPOSIT
        # the wallet's own entry: credited by a deposit, debited by a withdrawal (a fee recipient's is not it)
        own = [e for e in entries if e[2] != EXTERNAL and (e[4] > 0 if deposit else e[4] < 0)]
        if not own:
            continue
        flows.append(
            Flow(tx_id, "deposit" if deposit else "withdrawal", own[0][2], external[0][3], abs(external[0][4]),
                 datetime_ms(created))
        )  # fmt: skip
    return flows


def token_flows_on(session: Session, token: str, day: str) -> list[Flow]:
    """The token's unreversed deposits and withdrawals credited on `day`."""
    low, high = _widened(day)
    start, end = day_bounds(day)
    candidates = session.scalars(
        select(LedgerTransaction.id)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.reason.in_(FLOW_REASONS),
            LedgerEntry.account == EXTERNAL,
            LedgerEntry.token == token,
            LedgerTransaction.created_at >= low,
            LedgerTransaction.created_at < high,
            _not_reversed(),
        )
    ).all()
    return [f for f in flows_of_transactions(session, candidates) if f.token == token and start <= f.at_ms < end]


def wallet_flows(session: Session, wallet: str, day: str | None = None) -> list[Flow]:
    """The wallet's unreversed deposits and withdrawals (on `day`, if given)."""
    where = [LedgerEntry.account == wallet, _not_reversed()]
    if day is not None:
        low, high = _widened(day)
        where += [LedgerTransaction.created_at >= low, LedgerTransaction.created_at < high]
    candidates = session.scalars(
        select(LedgerTransaction.id)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.reason.in_(FLOW_REASONS), *where)
    ).all()
    flows = [f for f in flows_of_transactions(session, candidates) if f.wallet == wallet]
    if day is not None:
        start, end = day_bounds(day)
        flows = [f for f in flows if start <= f.at_ms < end]
    return flows


def market_fills_on(session: Session, market: str, day: str) -> list[FillRow]:
    start, end = day_bounds(day)
    fills = session.scalars(
        select(Fill).where(Fill.market == market, Fill.created_at_ms >= start, Fill.created_at_ms < end)
    )
    return [
        FillRow(f.maker, f.taker, f.maker_side, f.base_amount, f.quote_amount, f.maker_fee, f.taker_fee, f.status)
        for f in fills
    ]


def _of_wallet(wallet: str) -> ColumnElement[bool]:
    return and_(or_(Fill.maker == wallet, Fill.taker == wallet), Fill.status != FillStatus.FAILED)


def first_trade_ms(session: Session, wallet: str) -> int | None:
    return session.scalar(select(func.min(Fill.created_at_ms)).where(_of_wallet(wallet)))


def traded_on(session: Session, wallet: str, day: str) -> bool:
    start, end = day_bounds(day)
    query = select(Fill.id).where(_of_wallet(wallet), Fill.created_at_ms >= start, Fill.created_at_ms < end).limit(1)
    return session.scalar(query) is not None


def first_event_ms(session: Session, wallet: str, event: str) -> int | None:
    return session.scalar(
        select(func.min(StatsEvent.created_at_ms)).where(StatsEvent.wallet == wallet, StatsEvent.event == event)
    )


def had_event_on(session: Session, wallet: str, day: str) -> bool:
    start, end = day_bounds(day)
    query = select(StatsEvent.id).where(
        StatsEvent.wallet == wallet, StatsEvent.created_at_ms >= start, StatsEvent.created_at_ms < end
    )
    return session.scalar(query.limit(1)) is not None
