"""While withdrawals are paused (ledger and chain differ), deposits are still credited and the relayer sends
none of the accepted withdrawals; once staff clear the pause, it relays them."""

from __future__ import annotations

from sqlalchemy import select

from backend.db.models import OperatorTx, WithdrawalRequest
from backend.risk.withdrawal_pause import clear_withdrawal_pause, pause_withdrawals

from ..devchain import address_of
from ..e2e.test_hybrid_loop import BOB, Loop, fund
from .test_withdrawal_recipients import available_usdc, store_accepted


def test_deposits_go_on_and_accepted_withdrawals_wait_while_paused_until_the_pause_is_cleared(loop: Loop) -> None:
    with loop.container.uow() as uow:
        pause_withdrawals(uow.session, "ledger differs from chain", {})
        uow.commit()
    fund(loop)
    assert available_usdc(loop) == 10_000 * 10**6  # the deposit was credited while paused
    request_hash = store_accepted(loop, address_of(BOB))
    loop.relayer.tick()
    with loop.container.uow() as uow:
        row = uow.session.get(WithdrawalRequest, request_hash)
        assert row is not None and row.status == "accepted"
        assert uow.session.scalars(select(OperatorTx)).all() == []
        clear_withdrawal_pause(uow.session, actor="staff:ann@example.com", reason="explained")
        uow.commit()
    loop.relayer.tick()
    with loop.container.uow() as uow:
        row = uow.session.get(WithdrawalRequest, request_hash)
        assert row is not None and row.status != "accepted"
        assert len(uow.session.scalars(select(OperatorTx)).all()) == 1
