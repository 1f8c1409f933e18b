"""Withdrawal pauses: raised once while open, refused withdrawals while paused, cleared by staff with an
audit-log entry."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import AuditLogEntry, WithdrawalPause
from backend.errors import ErrorCode, HdexError
from backend.risk.withdrawal_pause import active_pause, clear_withdrawal_pause, pause_withdrawals, refuse_if_paused


def test_a_pause_refuses_withdrawals_until_staff_clear_it(session: Session) -> None:
    refuse_if_paused(session)  # nothing paused: accepted
    assert pause_withdrawals(session, "ledger differs from chain", {"differences": 1}, now_ms=1_000)
    with pytest.raises(HdexError) as refused:
        refuse_if_paused(session)
    assert refused.value.code is ErrorCode.WITHDRAWALS_PAUSED
    assert "ledger differs from chain" in refused.value.message

    cleared = clear_withdrawal_pause(session, actor="staff:ann@example.com", reason="difference explained")
    assert cleared.reason == "ledger differs from chain"
    assert active_pause(session) is None
    refuse_if_paused(session)
    entry = session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "withdrawals.resume")).one()
    assert entry.actor == "staff:ann@example.com"


def test_a_second_cause_while_paused_adds_no_second_pause(session: Session) -> None:
    assert pause_withdrawals(session, "first difference", {})
    assert not pause_withdrawals(session, "second difference", {})
    assert len(session.scalars(select(WithdrawalPause)).all()) == 1


def test_clearing_when_not_paused_is_refused_and_logs_nothing(session: Session) -> None:
    with pytest.raises(HdexError) as refused:
        clear_withdrawal_pause(session, actor="staff:ann@example.com", reason="nothing")
    assert refused.value.code is ErrorCode.NO_WITHDRAWAL_PAUSE
    assert session.scalars(select(AuditLogEntry)).first() is None
