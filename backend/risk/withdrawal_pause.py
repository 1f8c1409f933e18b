"""Withdrawal pauses: while the ledger and the chain differ, no withdrawal is accepted (deposits, orders and
cancels go on) until staff clear the pause. Each pause is a row; withdrawals are paused while any is open."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.db.models import WithdrawalPause
from backend.errors import ErrorCode, HdexError


@dataclass(frozen=True, slots=True)
class Pause:
    id: int
    reason: str
    details: dict[str, Any]
    raised_at_ms: int


def _open_rows(session: Session) -> list[WithdrawalPause]:
    return list(
        session.scalars(
            select(WithdrawalPause).where(WithdrawalPause.cleared_at_ms.is_(None)).order_by(WithdrawalPause.id)
        )
    )


def _pause(row: WithdrawalPause) -> Pause:
    return Pause(row.id, row.reason, dict(row.details), row.raised_at_ms)


def open_pauses(session: Session) -> list[Pause]:
    """Every open pause, oldest first (empty: withdrawals are accepted)."""
    return [_pause(row) for row in _open_rows(session)]


def active_pause(session: Session) -> Pause | None:
    """The oldest open pause, or None when withdrawals are accepted."""
    pauses = open_pauses(session)
    return pauses[0] if pauses else None


def pause_withdrawals(
    session: Session, reason: str, details: dict[str, Any], *, now_ms: int | None = None
) -> int | None:
    """Pause withdrawals for `reason` unless a pause is already open; the new pause's id if this call paused
    them (the alert that says why names it), else None. The caller commits (with that alert)."""
    if active_pause(session) is not None:
        return None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    row = WithdrawalPause(reason=reason[:500], details=details, raised_at_ms=now)
    session.add(row)
    session.flush()
    return row.id


def clear_withdrawal_pause(session: Session, *, actor: str, reason: str, ip: str | None = None) -> Pause:
    """Staff end every open pause (NO_WITHDRAWAL_PAUSE if none), audit-logged as "withdrawals.resume"."""
    rows = _open_rows(session)
    if not rows:
        raise HdexError(ErrorCode.NO_WITHDRAWAL_PAUSE, "withdrawals are not paused")
    now = int(time.time() * 1000)
    first = rows[0]
    for row in rows:
        row.cleared_by, row.cleared_reason, row.cleared_at_ms = actor, reason[:500], now
    record_action(
        session,
        actor=actor,
        action="withdrawals.resume",
        target="withdrawals",
        before={"paused": [row.reason for row in rows]},
        after={"paused": [], "reason": reason},
        ip=ip,
    )
    session.flush()
    return _pause(first)


def refuse_if_paused(session: Session) -> None:
    """WITHDRAWALS_PAUSED while a pause is open: the withdrawal door calls this before anything else."""
    pause = active_pause(session)
    if pause is not None:
        raise HdexError(
            ErrorCode.WITHDRAWALS_PAUSED,
            f"withdrawals are paused until staff clear it ({pause.reason}); deposits, orders and cancels go on",
        )
