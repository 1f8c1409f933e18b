"""Deposits by blocked addresses, frozen off-chain (`backend.compliance.deposits`), and their release by compliance
staff: the staff API and `hdex compliance frozen|release` call these. A release needs a clear screening decision for the
depositor made just before it (a wallet still blocked stays frozen), records who and why with the freeze, and is
audit-logged ("frozen.release") in the same transaction. Trading and withdrawals count the funds again from the
engine's next balance read (`backend.trading.hosting.chain_sync.wallet_balances`), the account views at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.compliance.factory import screener_for
from backend.compliance.screening import Decision
from backend.db.list_queries import newest_first
from backend.db.models import ChainEvent, FrozenFunds
from backend.errors import ErrorCode, HdexError
from backend.statuses import ChainEventStatus
from backend.trading.rules.accounts import checksum

RELEASED_BY_CHARS = 100  # the frozen_funds.released_by column
# held: it keeps the deposit from trading and withdrawals; released: staff released it; orphaned: a reorg deeper than
# the confirmations took the deposit out (its credit is reversed, so the freeze holds nothing)
FrozenState = Literal["held", "released", "orphaned"]


@dataclass(frozen=True, slots=True)
class FrozenDeposit:
    """One freeze and the deposit it holds; times in epoch ms."""

    id: int
    wallet: str  # EIP-55
    token: str  # EIP-55
    amount: int
    reason: str  # the screening hits that froze it
    tx_hash: str
    block_number: int
    deposit_status: str  # final | orphaned (a reorg deeper than the confirmations took the deposit out)
    frozen_at_ms: int
    released_at_ms: int | None
    released_by: str | None
    release_reason: str | None

    @property
    def state(self) -> FrozenState:
        if self.released_at_ms is not None:
            return "released"
        return "held" if self.deposit_status == ChainEventStatus.FINAL else "orphaned"


def _ms(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite's CURRENT_TIMESTAMP comes back without a zone, and is UTC
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _view(row: FrozenFunds, event: ChainEvent) -> FrozenDeposit:
    frozen_at = _ms(row.created_at)
    assert frozen_at is not None  # a server default
    return FrozenDeposit(
        row.id, checksum(row.wallet), checksum(row.token), row.amount, row.reason, event.tx_hash,
        event.block_number, event.status, frozen_at, _ms(row.released_at), row.released_by, row.release_reason,
    )  # fmt: skip


def list_frozen(
    session: Session,
    *,
    state: FrozenState | None = None,
    wallet: str | None = None,
    limit: int = 100,
    below: int | None = None,
) -> list[FrozenDeposit]:
    """Freezes newest first, in `state` if given (any if None), of one wallet (any case) if given; at most `limit`,
    with ids below `below` if given."""
    query = newest_first(
        select(FrozenFunds, ChainEvent).join(ChainEvent, ChainEvent.id == FrozenFunds.chain_event_id),
        FrozenFunds.id, limit, below,
    )  # fmt: skip
    if wallet is not None:
        query = query.where(func.lower(FrozenFunds.wallet) == wallet.lower())
    unreleased = FrozenFunds.released_at.is_(None)
    if state == "held":
        query = query.where(unreleased, ChainEvent.status == ChainEventStatus.FINAL)
    elif state == "released":
        query = query.where(~unreleased)
    elif state == "orphaned":
        query = query.where(unreleased, ChainEvent.status == ChainEventStatus.ORPHANED)
    return [_view(row, event) for row, event in session.execute(query).tuples()]


def frozen_deposit(session: Session, frozen_id: int) -> FrozenDeposit:
    """One freeze; FROZEN_FUNDS_NOT_FOUND if there is none with that id."""
    found = session.execute(
        select(FrozenFunds, ChainEvent)
        .join(ChainEvent, ChainEvent.id == FrozenFunds.chain_event_id)
        .where(FrozenFunds.id == frozen_id)
    ).first()
    if found is None:
        raise HdexError(ErrorCode.FROZEN_FUNDS_NOT_FOUND, f"no frozen deposit {frozen_id}", "id")
    return _view(*found.tuple())


def release(container: Container, frozen_id: int, reason: str, *, actor: str, ip: str | None = None) -> FrozenDeposit:
    """Screen the depositor of freeze `frozen_id` now, then release it (committed): refused, with nothing changed,
    with FROZEN_FUNDS_NOT_FOUND, FROZEN_FUNDS_NOT_HELD (released already, or its deposit orphaned), ADDRESS_BLOCKED
    while the wallet is blocked, SCREENING_UNAVAILABLE when a provider could not decide. The screening runs between
    two transactions: the screener writes its decision in its own, and SQLite takes one writer at a time."""
    with container.uow() as uow:
        wallet = frozen_deposit(uow.session, frozen_id).wallet
    screening = screener_for(container).screen([wallet], actor=actor, context="frozen.release")[wallet.lower()]
    with container.uow() as uow:
        released = _release(uow.session, frozen_id, reason, screening, actor=actor, ip=ip)
        uow.commit()
    return released


def _release(
    session: Session, frozen_id: int, reason: str, screening: Decision, *, actor: str, ip: str | None
) -> FrozenDeposit:
    """Release freeze `frozen_id`, given `screening`, the depositor's decision made for this release; audit-logged
    with the freeze before and the release after. The caller commits; nothing is written when it raises."""
    frozen = frozen_deposit(session, frozen_id)
    if frozen.released_at_ms is not None:
        raise HdexError(ErrorCode.FROZEN_FUNDS_NOT_HELD, f"frozen deposit {frozen_id} was released already", "id")
    if frozen.state == "orphaned":
        message = f"a reorg took the deposit of freeze {frozen_id} out: it holds nothing"
        raise HdexError(ErrorCode.FROZEN_FUNDS_NOT_HELD, message, "id")
    _check_screening(frozen.wallet, screening)
    released_by = actor[:RELEASED_BY_CHARS]
    # Conditional: of two staff releasing at once, one wins; the other is told, and logs nothing.
    changed = session.execute(
        update(FrozenFunds)
        .where(FrozenFunds.id == frozen_id, FrozenFunds.released_at.is_(None))
        .values(released_at=func.now(), released_by=released_by, release_reason=reason)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        raise HdexError(ErrorCode.FROZEN_FUNDS_NOT_HELD, f"frozen deposit {frozen_id} was released already", "id")
    record_action(
        session, actor=actor, action="frozen.release", target=f"frozen:{frozen_id}",
        before={"wallet": frozen.wallet, "token": frozen.token, "amount": str(frozen.amount), "reason": frozen.reason},
        after={"reason": reason, "screening": screening.result}, ip=ip,
    )  # fmt: skip
    session.flush()
    session.expire_all()  # released_at is the database's
    return frozen_deposit(session, frozen_id)


def _check_screening(wallet: str, screening: Decision) -> None:
    if screening.result == "error":
        raise HdexError(ErrorCode.SCREENING_UNAVAILABLE, f"{wallet} could not be screened: try again", "id")
    if not screening.allowed:
        hits = "; ".join(hit.reason for hit in screening.hits)  # each says where it came from ("deny-listed: ...")
        message = f"{wallet} is still blocked ({hits}): its deposit stays frozen"
        raise HdexError(ErrorCode.ADDRESS_BLOCKED, message, "id")
