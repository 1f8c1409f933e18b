"""A stored withdrawal to an address nobody owns (accepted before the API refused those) is never signed, and one
whose recipient demands more gas to take ETH than a withdrawal may use fails instead of stalling the operator key."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.db.models import OperatorTx, WithdrawalRequest
from backend.signing.typed_data import Withdrawal
from backend.trading.rules.tokens import ETH

from ..devchain import address_of
from ..e2e.test_hybrid_loop import BOB, Loop, fund
from .signed_withdrawals import signed_withdrawal


def store_accepted(loop: Loop, recipient: str) -> str:
    """The row the API stored for a signed withdrawal of 2,000 USDC by Bob, before it checked recipients."""
    return store_row(loop, *signed_withdrawal(loop, BOB, "USDC", 2_000 * 10**6, recipient))


def store_row(loop: Loop, withdrawal: Withdrawal, request_hash: str, signature: bytes) -> str:
    """The row the API stores for an accepted withdrawal request."""
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


# A recipient that refuses ETH unless the call brings over 1,000,000 gas: `receive` is
# GAS PUSH4 1000000 LT PUSH1 0x0e JUMPI PUSH1 0 DUP1 REVERT JUMPDEST STOP. The Exchange forwards all gas to an ETH
# recipient, so the estimate follows whatever it demands (near a block's gas, every node would refuse the transaction
# and every later nonce of the operator key would wait behind it).
GAS_DEMANDING_RECIPIENT = "6010600c60003960106000f3" + "5a63000f424010600e57600080fd5b00"


def ether_to_a_contract(loop: Loop, init_code: str) -> tuple[str, Any]:
    """Bob deploys a recipient contract from `init_code`, deposits 1 ETH and asks to withdraw 0.001 ETH to it: the
    recipient's address, and the request's answer (accepted)."""
    chain = loop.chain
    deployed = chain.w3.eth.send_transaction({"from": address_of(BOB), "data": init_code})
    recipient = chain.w3.eth.wait_for_transaction_receipt(deployed)["contractAddress"]
    chain.send(BOB, chain.exchange.functions.depositEther(), value=10**18)
    loop.index()
    accepted = loop.client.post("/v1/withdrawals", json=ether_withdrawal_body(loop, recipient))
    assert accepted.status_code == 202, accepted.text
    return recipient, accepted


def test_a_withdrawal_whose_recipient_demands_too_much_gas_fails_without_a_transaction(loop: Loop) -> None:
    chain = loop.chain
    _recipient, accepted = ether_to_a_contract(loop, GAS_DEMANDING_RECIPIENT)

    loop.relayer.tick()

    answer = loop.client.get(f"/v1/withdrawals/{accepted.json()['hash']}").json()
    assert answer["status"] == "failed" and answer["failure"].startswith("recipient_gas: taking it would need")
    with loop.container.uow() as uow:
        assert uow.session.scalars(select(OperatorTx)).all() == []  # nothing signed: the key's nonces flow on
    assert chain.exchange.functions.balanceOf(address_of(BOB), ETH).call() == 10**18


# A recipient that takes ETH only when nothing pays for gas, as in a simulation (eth_estimateGas without fees), and
# reverts on-chain: `receive` is GASPRICE ISZERO PUSH1 0x09 JUMPI PUSH1 0 DUP1 REVERT JUMPDEST STOP.
TWO_FACED_RECIPIENT = "600b600c600039600b6000f3" + "3a15600957600080fd5b00"


def ether_withdrawal_body(loop: Loop, recipient: str) -> dict[str, object]:
    """The POST /v1/withdrawals body of Bob's 0.001 ETH to `recipient`."""
    return Signer(DEV_KEYS[BOB], loop.domain).withdrawal_body(ETH, 10**15, 0, recipient=recipient)[1]


def test_a_recipient_that_reverted_a_wallets_ether_on_chain_takes_none_of_it_for_a_while(loop: Loop) -> None:
    """Each such withdrawal costs the operator a reverted transaction and its requester nothing (the hold goes back):
    after one, the API refuses the wallet's new ether withdrawals to that recipient and the relayer fails those
    accepted before it. A token to it calls no code of the recipient's: not refused."""
    chain = loop.chain
    fund(loop)
    recipient, first = ether_to_a_contract(loop, TWO_FACED_RECIPIENT)
    loop.relay()  # simulated (no gas price: taken), sent, reverted
    chain.mine(loop.container.settings.confirmations)  # a reverted one is acted on once final
    loop.relayer.tick()
    assert loop.client.get(f"/v1/withdrawals/{first.json()['hash']}").json()["failure"] == "reverted on-chain"
    sent = len(list_operator_txs(loop))

    queued = store_row(loop, *signed_withdrawal(loop, BOB, "ETH", 10**15, recipient))  # before the revert was known
    loop.relayer.tick()
    refused = loop.client.post("/v1/withdrawals", json=ether_withdrawal_body(loop, recipient))
    elsewhere = loop.client.post("/v1/withdrawals", json=ether_withdrawal_body(loop, address_of(BOB)))
    usdc = loop.chain.token("USDC").address
    token = Signer(DEV_KEYS[BOB], loop.domain).withdrawal_body(usdc, 10**6, 0, recipient=recipient)[1]
    tokens = loop.client.post("/v1/withdrawals", json=token)

    answer = loop.client.get(f"/v1/withdrawals/{queued}").json()
    assert answer["status"] == "failed" and answer["failure"].startswith("recipient_reverted: the wallet's ether")
    assert len(list_operator_txs(loop)) == sent  # nothing more signed for it
    error = refused.json()["error"]
    assert (refused.status_code, error["code"], error["field"]) == (422, "INVALID_RECIPIENT", "withdrawal.recipient")
    assert "reverted on-chain within the last 24 hours" in error["message"]
    assert elsewhere.status_code == 202, elsewhere.text
    assert tokens.status_code == 202, tokens.text


def list_operator_txs(loop: Loop) -> list[OperatorTx]:
    with loop.container.uow() as uow:
        return list(uow.session.scalars(select(OperatorTx)))
