"""A stored withdrawal to an address nobody owns (accepted before the API refused those) is never signed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from backend.db.models import OperatorTx, WithdrawalRequest

from ..devchain import address_of
from ..e2e.test_hybrid_loop import BOB, Loop, fund
from .signed_withdrawals import signed_withdrawal


def store_accepted(loop: Loop, recipient: str) -> str:
    """The row the API stored for a signed withdrawal of 2,000 USDC by Bob, before it checked recipients."""
    withdrawal, request_hash, signature = signed_withdrawal(loop, BOB, "USDC", 2_000 * 10**6, recipient)
    now = int(time.time() * 1000)
    with loop.container.uow() as uow:
        uow.session.add(
            WithdrawalRequest(
                hash=request_hash, wallet=withdrawal.wallet, token=withdrawal.token, amount=withdrawal.amount,
                max_fee=0, fee=0, recipient=withdrawal.recipient, nonce=withdrawal.nonce, expiry=withdrawal.expiry,
                signature=signature, status="accepted", created_at_ms=now, updated_at_ms=now,
            )
        )  # fmt: skip
        uow.commit()
    return request_hash


def available_usdc(loop: Loop) -> int:
    balances = loop.client.get(f"/v1/accounts/{address_of(BOB)}/balances").json()["balances"]
    return int(next(b for b in balances if b["token"] == loop.chain.token("USDC").address)["available"])


@pytest.mark.parametrize("recipient_name", ["zero address", "the exchange"])
def test_a_stored_withdrawal_to_an_unowned_recipient_is_failed_without_a_transaction(
    loop: Loop, recipient_name: str
) -> None:
    fund(loop)
    before = available_usdc(loop)
    recipient = "0x" + "00" * 20 if recipient_name == "zero address" else loop.chain.exchange.address
    request_hash = store_accepted(loop, recipient)
    loop.relayer.tick()
    with loop.container.uow() as uow:
        row = uow.session.get(WithdrawalRequest, request_hash)
        assert row is not None
        assert (row.status, row.failure) == ("failed", "invalid_recipient: the zero address or the Exchange")
        assert uow.session.scalars(select(OperatorTx)).all() == []  # nothing signed, nothing sent
    loop.index()
    assert available_usdc(loop) == before  # the hold is released
    assert loop.chain.vault_balance(BOB, "USDC") == before
