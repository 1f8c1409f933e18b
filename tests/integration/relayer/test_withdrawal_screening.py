"""A withdrawal accepted while its wallet and recipient were clear is screened again before it is signed: one
deny-listed meanwhile (by staff, or frozen by a re-screening) is failed without a transaction, and while
screening cannot answer none is relayed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from eth_utils.address import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.compliance.providers import Hit, ProviderUnavailable
from backend.compliance.screening import Screener
from backend.db.models import OperatorTx, WithdrawalRequest
from backend.trading.usecases.deny_list import deny_address
from relayer.withdrawals import WithdrawalWork

from ..devchain import address_of
from ..e2e.test_hybrid_loop import BOB, Loop, fund
from .test_withdrawal_recipients import available_usdc, store_accepted

OUTSIDER = to_checksum_address("0x" + "5a" * 20)  # a recipient Bob names, not his own wallet


def request_row(loop: Loop, request_hash: str) -> tuple[str, str | None]:
    with loop.container.uow() as uow:
        row = uow.session.get(WithdrawalRequest, request_hash)
        assert row is not None
        return row.status, row.failure


@pytest.mark.parametrize("denied", ["wallet", "recipient"])
def test_a_withdrawal_whose_wallet_or_recipient_was_deny_listed_after_acceptance_is_failed_unsigned(
    loop: Loop, denied: str
) -> None:
    fund(loop)
    before = available_usdc(loop)
    request_hash = store_accepted(loop, OUTSIDER)  # accepted: both were clear then
    with loop.container.uow() as uow:
        deny_address(uow.session, address_of(BOB) if denied == "wallet" else OUTSIDER, "sanctioned", actor="test")
        uow.commit()
    loop.relayer.tick()
    assert request_row(loop, request_hash) == ("failed", f"blocked_by_screening:{denied}")
    with loop.container.uow() as uow:
        assert uow.session.scalars(select(OperatorTx)).all() == []  # nothing signed, nothing sent
    loop.index()
    assert available_usdc(loop) == before  # the hold ended; the funds stay in the Exchange
    assert loop.chain.vault_balance(BOB, "USDC") == before


class Down:
    """A screening provider that cannot answer (the sanctions oracle's RPC down)."""

    name = "oracle"

    def version(self, session: Session) -> str:
        raise ProviderUnavailable("the oracle's RPC does not answer")

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        raise ProviderUnavailable("the oracle's RPC does not answer")


def test_no_withdrawal_is_relayed_while_screening_is_unavailable_and_it_goes_once_screening_answers(
    loop: Loop,
) -> None:
    fund(loop)
    request_hash = store_accepted(loop, OUTSIDER)
    work = next(w for w in loop.relayer.workers if isinstance(w, WithdrawalWork))
    clear = work.screener
    work.screener = Screener(loop.container.session_factory, [Down()])
    try:
        loop.relayer.tick()
        assert request_row(loop, request_hash) == ("accepted", None)  # waits: fail closed, and not failed
        with loop.container.uow() as uow:
            assert uow.session.scalars(select(OperatorTx)).all() == []
    finally:
        work.screener = clear
    loop.relayer.tick()
    assert request_row(loop, request_hash)[0] in ("relaying", "relayed")
