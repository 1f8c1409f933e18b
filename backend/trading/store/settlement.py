"""The relayer's door to fills: find unsettled ones, claim them for a batch, record the outcome.

Life of a fill: `unsettled` (the engine matched it; both parties' payments are held) ->
`settling` (claimed for a batch in the same transaction that stores the operator transaction) ->
`settled` (its trade mined; `tx_hash` set) or `failed` (skipped on-chain, with `tx_hash` set, blocked,
or would revert; `failure` says why); `requeue` puts `settling` fills back to `unsettled` when their
batch was dropped or reverted as a whole, and `reopen` puts mined ones back when a reorg took their batch
out for good.

Holds: the engine host gives back a fill's holds exactly once (`Fill.released`): for a `failed` fill
that never reached the chain at its next sync; for one mined (settled or skipped) only when the indexer
has seen its transaction's TradeSettled or TradeSkipped final, i.e. when the ledger already carries the
trade and no reorg can replay the transaction differently: the available balance never counts the same
money twice. Every function here leaves the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import false, select, update
from sqlalchemy.orm import Session

from backend.db.models import Fill, Order
from backend.db.models.trading import FAILURE_LENGTH, FAILURE_REASON_LENGTH
from backend.statuses import FillStatus
from backend.trading.rules.orders import FLAG_FILL_OR_KILL

IN_LINE = (FillStatus.UNSETTLED, FillStatus.SETTLING)  # not mined yet
NOT_CLAIMED = (FillStatus.UNSETTLED,)  # in line and in no batch: what a relayer may fail before submitting
DECIDED = (FillStatus.SETTLED, FillStatus.FAILED)  # settled, or failed (skipped on-chain, or before it was sent)
SENT = (FillStatus.SETTLING, *DECIDED)  # a batch's fills once it was sent
TRADE_EVENTS = ("TradeSettled", "TradeSkipped")  # one of them per trade of a mined batch, in trade order


def unsettled(session: Session, limit: int) -> list[Fill]:
    """The oldest unsettled fills, in matching order (settle them in this order)."""
    return list(session.scalars(select(Fill).where(Fill.status == FillStatus.UNSETTLED).order_by(Fill.id).limit(limit)))


def fill_or_kill_orders(session: Session, hashes: Iterable[str]) -> set[str]:
    """The orders among `hashes` that sign fill-or-kill: the contract settles their fills only together, as
    consecutive trades of one batch that add up to the whole order."""
    rows = session.execute(select(Order.hash, Order.flags).where(Order.hash.in_(list(hashes))))
    return {order_hash for order_hash, flags in rows if flags & FLAG_FILL_OR_KILL}


def unsettled_after(session: Session, taker_order_hash: str, after_id: int) -> list[Fill]:
    """The unsettled fills of taker order `taker_order_hash` after fill `after_id`, in matching order."""
    return list(
        session.scalars(
            select(Fill)
            .where(Fill.taker_order_hash == taker_order_hash, Fill.id > after_id, Fill.status == FillStatus.UNSETTLED)
            .order_by(Fill.id)
        )
    )


def claim(session: Session, ids: Sequence[int]) -> bool:
    """Move every fill of `ids` from unsettled to settling; False (and nothing changed if the caller
    rolls back) when any of them is no longer unsettled."""
    result = session.execute(
        update(Fill)
        .where(Fill.id.in_(list(ids)), Fill.status == FillStatus.UNSETTLED)
        .values(status=FillStatus.SETTLING)
    )
    return int(getattr(result, "rowcount", 0)) == len(set(ids))


def requeue(session: Session, ids: Sequence[int]) -> None:
    """Put settling fills back in line (their batch did not happen on-chain)."""
    session.execute(
        update(Fill)
        .where(Fill.id.in_(list(ids)), Fill.status == FillStatus.SETTLING)
        .values(status=FillStatus.UNSETTLED)
    )


def reopen(session: Session, ids: Sequence[int], tx_hash: str) -> list[Fill]:
    """Put back in line the fills of `ids` that the batch mined as `tx_hash` settled or skipped, once a reorg took
    that batch out of the final chain: the trades did not happen there, and their holds still wait (unreleased).
    Returns the fills put back."""
    reopened = session.scalars(
        update(Fill)
        .where(
            Fill.id.in_(list(ids)),
            Fill.tx_hash == tx_hash,
            Fill.released == false(),
            Fill.status.in_(DECIDED),
        )
        .values(status=FillStatus.UNSETTLED, tx_hash=None, failure=None, failure_reason=None)
        .returning(Fill)
    )
    return list(reopened)


def settle(session: Session, fill_id: int, tx_hash: str, was: Sequence[str] = IN_LINE) -> None:
    """Record that the fill's trade was mined in `tx_hash` (if the fill's status is one of `was`: in line, or for
    a correction after a reorg, mined)."""
    session.execute(
        update(Fill)
        .where(Fill.id == fill_id, Fill.status.in_(list(was)))
        .values(status=FillStatus.SETTLED, tx_hash=tx_hash, failure=None, failure_reason=None)
    )


def fail(
    session: Session, fill_id: int, reason: str, words: str, tx_hash: str | None = None, was: Sequence[str] = IN_LINE
) -> bool:
    """Record that the fill will never settle, why (`reason`, for machines) and the same in `words`, and the
    transaction that skipped it on-chain (`tx_hash`; None if it never got there), if its status is one of `was`
    (returns whether it was). Its holds are given back (unwound) at the next sync; for a fill skipped on-chain,
    once that transaction's block is final."""
    result = session.execute(
        update(Fill)
        .where(Fill.id == fill_id, Fill.status.in_(list(was)))
        .values(
            status=FillStatus.FAILED,
            failure=reason[:FAILURE_LENGTH],
            failure_reason=words[:FAILURE_REASON_LENGTH],
            tx_hash=tx_hash,
        )
    )
    return int(getattr(result, "rowcount", 0)) == 1
