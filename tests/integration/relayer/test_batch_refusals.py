"""A batch the Exchange refuses as a whole (paused, or our key no longer its operator) or that the node could not
judge (a timeout) waits with its fills in line: no trade of it is failed, and it settles once the refusal ends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.db.models import OperatorTx, WithdrawalRequest
from relayer.transactions import TxManager

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, Loop, fund
from .test_withdrawal_recipients import store_accepted

pytestmark = pytest.mark.chain


def two_trades(loop: Loop) -> None:
    fund(loop)
    for _ in range(2):
        loop.place(ALICE, side=1, amount=10**18 // 2)
        loop.place(BOB, side=0, amount=10**18 // 2)
    assert [f.status for f in loop.fills()] == ["unsettled", "unsettled"]


def as_admin(loop: Loop, call: Any) -> None:
    """Send an admin call from the Exchange's admin (the Custody contract), impersonated on anvil."""
    admin = loop.chain.exchange.functions.admin().call()
    loop.chain.rpc("anvil_impersonateAccount", admin)
    loop.chain.rpc("anvil_setBalance", admin, hex(10**18))
    tx_hash = loop.chain.rpc(
        "eth_sendTransaction",
        {"from": admin, "to": loop.chain.exchange.address, "data": call._encode_transaction_data()},
    )
    assert loop.chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1  # mined, not at once
    loop.chain.rpc("anvil_stopImpersonatingAccount", admin)


def nothing_failed_or_sent(loop: Loop) -> None:
    nothing_failed_or_sent_but(loop)


def nothing_failed_or_sent_but(loop: Loop, *kinds: str) -> None:
    """Both fills waiting in line, nobody told of a failure, and no transaction sent but of `kinds`."""
    assert [(f.status, f.failure) for f in loop.fills()] == [("unsettled", None), ("unsettled", None)]
    assert [m for _, m in loop.notes if m["type"] == "settlement"] == []  # nobody was told their fill failed
    with loop.container.uow() as uow:
        assert [tx.kind for tx in uow.session.scalars(select(OperatorTx))] == list(kinds)


def test_a_paused_exchange_leaves_the_fills_in_line_until_it_is_unpaused(loop: Loop) -> None:
    two_trades(loop)
    as_admin(loop, loop.chain.exchange.functions.pause())
    for _ in range(3):
        loop.relayer.tick()
    nothing_failed_or_sent(loop)
    as_admin(loop, loop.chain.exchange.functions.unpause())
    loop.relayer.tick()
    loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["settled", "settled"]
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_key_that_is_no_longer_the_operator_leaves_the_fills_in_line(loop: Loop) -> None:
    two_trades(loop)
    operator = loop.relayer.txm
    # The operator was rotated on-chain and this relayer still signs with the old key.
    loop.relayer.txm = TxManager(loop.container.session_factory, JsonRpcClient(loop.chain.url), DEV_KEYS[8], 31337)
    assert DEV_KEYS[8] != DEV_KEYS[OPERATOR_INDEX]
    for _ in range(3):
        loop.relayer.tick()
    nothing_failed_or_sent(loop)
    loop.relayer.txm = operator
    loop.relayer.tick()
    loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["settled", "settled"]


def test_a_node_error_that_is_not_a_revert_fails_no_trade(loop: Loop) -> None:
    two_trades(loop)
    rpc = loop.relayer.txm.rpc
    real_call = rpc.call

    def call(method: str, params: list[Any]) -> Any:
        if method == "eth_estimateGas":  # geth's answer when a call outlasts its RPC EVM timeout
            raise RpcError("eth_estimateGas: execution aborted (timeout = 5s)")
        return real_call(method, params)

    rpc.call = call  # type: ignore[method-assign]
    for _ in range(3):
        with pytest.raises(RpcError, match="execution aborted"):
            loop.relayer.tick()  # the round backs off and retries
    nothing_failed_or_sent(loop)
    rpc.call = real_call  # type: ignore[method-assign]
    loop.relayer.tick()
    loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["settled", "settled"]


def test_a_withdrawal_waits_accepted_while_the_key_is_not_the_operator_and_goes_once_it_is(loop: Loop) -> None:
    fund(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    operator = loop.relayer.txm
    loop.relayer.txm = TxManager(loop.container.session_factory, JsonRpcClient(loop.chain.url), DEV_KEYS[8], 31337)
    for _ in range(3):
        loop.relayer.tick()
    with loop.container.uow() as uow:
        row = uow.session.get_one(WithdrawalRequest, request_hash)
        assert (row.status, row.failure) == ("accepted", None)
        assert uow.session.scalars(select(OperatorTx)).all() == []
    loop.relayer.txm = operator
    loop.relay()
    with loop.container.uow() as uow:
        assert uow.session.get_one(WithdrawalRequest, request_hash).status == "relayed"


def test_settlement_work_the_node_fails_does_not_hold_up_withdrawals(loop: Loop) -> None:
    two_trades(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    rpc = loop.relayer.txm.rpc
    real_call = rpc.call
    settle = loop.chain.exchange.functions.settle([], [], [])._encode_transaction_data()[:10]

    def call(method: str, params: list[Any]) -> Any:
        if method == "eth_estimateGas" and params[0]["data"].startswith(settle):  # the node cannot judge a batch
            raise RpcError("eth_estimateGas: execution aborted (timeout = 5s)")
        return real_call(method, params)

    rpc.call = call  # type: ignore[method-assign]
    try:
        with pytest.raises(RpcError, match="execution aborted"):
            loop.relayer.tick()  # the round still backs off
    finally:
        rpc.call = real_call  # type: ignore[method-assign]
    nothing_failed_or_sent_but(loop, "withdraw")
    with loop.container.uow() as uow:
        assert uow.session.get_one(WithdrawalRequest, request_hash).status == "relaying"
