"""A relayed withdrawal whose transaction a reorg took out, and whose nonce another transaction then used at a
final block, can never be mined: it fails (its hold ends) instead of waiting for a `Withdrawn` that never comes."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.chain.jsonrpc import JsonRpcClient
from backend.db.models import WithdrawalRequest
from relayer.transactions import TxManager

from ..devchain import address_of
from ..e2e.test_hybrid_loop import BOB, Loop, fund
from .test_withdrawal_recipients import available_usdc, store_accepted


def take_the_nonce(loop: Loop) -> None:
    """On a new fork, another transaction of the operator's key uses the nonce of the one a reorg took out."""
    operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX])
    nonce = int(loop.chain.rpc("eth_getTransactionCount", operator.address, "latest"), 16)
    other = operator.sign_transaction({
        "to": operator.address, "value": 0, "gas": 21_000, "nonce": nonce, "chainId": 31337,
        "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
    })  # fmt: skip
    loop.chain.rpc("eth_sendRawTransaction", "0x" + bytes(other.raw_transaction).hex())


def request_state(loop: Loop, request_hash: str) -> tuple[str, str | None]:
    with loop.container.uow() as uow:
        row = uow.session.get_one(WithdrawalRequest, request_hash)
        return row.status, row.failure


def test_a_relayed_withdrawal_a_reorg_took_out_for_good_fails_and_its_hold_ends(loop: Loop) -> None:
    fund(loop)
    before = available_usdc(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()  # sent, mined: relayed at one confirmation
    assert request_state(loop, request_hash)[0] == "relayed"
    loop.relayer.tick()
    assert request_state(loop, request_hash)[0] == "relayed"  # its block is not final: it waits
    # A reorg takes the block out, and the operator's next transaction takes the nonce on the new fork.
    assert loop.chain.rpc("evm_revert", snapshot)
    take_the_nonce(loop)
    loop.chain.mine(3)
    loop.index()  # the indexer follows the new fork; its final block is past the nonce's use
    loop.relayer.tick()
    status, failure = request_state(loop, request_hash)
    assert status == "failed" and failure is not None and failure.startswith("lost_in_reorg")
    assert [m["status"] for w, m in loop.notes if m["type"] == "withdrawal"] == ["relayed", "failed"]
    loop.index()
    assert available_usdc(loop) == before  # the hold ended; nothing left the Exchange
    assert loop.chain.vault_balance(BOB, "USDC") == before


def test_a_relayed_withdrawal_of_an_earlier_operator_key_waits_for_that_keys_nonce(loop: Loop) -> None:
    """The operator key was rotated while a withdrawal's transaction, which a reorg took out, can still be mined
    (its nonce is not used). Measured against the new key's nonces, which are past it, it looked lost: its hold
    would have ended while the transaction could still take the amount out."""
    fund(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    assert request_state(loop, request_hash)[0] == "relayed"
    assert loop.chain.rpc("evm_revert", snapshot)  # taken out; its nonce is free again, the key rotated
    operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX])
    old_nonce = int(loop.chain.rpc("eth_getTransactionCount", operator.address, "latest"), 16)
    new_key = Account.from_key(DEV_KEYS[8])
    for nonce in range(int(loop.chain.rpc("eth_getTransactionCount", new_key.address, "latest"), 16), old_nonce + 1):
        sent = new_key.sign_transaction({
            "to": new_key.address, "value": 0, "gas": 21_000, "nonce": nonce, "chainId": 31337,
            "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
        })  # fmt: skip
        loop.chain.rpc("eth_sendRawTransaction", "0x" + bytes(sent.raw_transaction).hex())
    loop.chain.mine(3)
    loop.index()
    loop.relayer.txm = TxManager(loop.container.session_factory, JsonRpcClient(loop.chain.url), DEV_KEYS[8], 31337)
    loop.relayer.tick()
    assert request_state(loop, request_hash) == ("relayed", None)  # the old key's nonce is unused: it may be mined


def test_a_withdrawal_a_lagging_node_calls_dropped_keeps_its_hold_and_completes_once_final(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mined, but the node answers no receipt while the nonce shows used: the transaction looks dropped. Failed at
    once, the request's hold ended while the amount had left the Exchange (available twice until final). It stays
    relaying, held, until the final chain decides: here its Withdrawn, final, completes it."""
    fund(loop)
    before = available_usdc(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    rpc = loop.relayer.txm.rpc
    asked = rpc.call

    def lagging(method: str, params: list[Any]) -> Any:
        return None if method == "eth_getTransactionReceipt" else asked(method, params)

    loop.relayer.tick()  # sent, mined at once
    loop.chain.mine(1)
    monkeypatch.setattr(rpc, "call", lagging)
    loop.relayer.tick()  # no receipt, nonce used: dropped
    assert request_state(loop, request_hash) == ("relaying", None)
    app: Any = loop.client.app
    loop.client.portal.call(app.state.trading.sync_once)  # the engine's read, before the indexer's
    assert available_usdc(loop) == before - 2_000 * 10**6  # still held: it has left the Exchange
    loop.index()  # final: the ledger's debit (and the request until it completes: less available, never more)
    assert available_usdc(loop) <= before - 2_000 * 10**6
    monkeypatch.undo()
    loop.relayer.tick()  # the final Withdrawn completes it
    assert request_state(loop, request_hash) == ("completed", None)
    loop.index()
    assert available_usdc(loop) == before - 2_000 * 10**6  # now the ledger's debit, once


def test_a_relayed_withdrawal_a_reorg_took_out_that_no_node_holds_is_sent_again_and_completes_once(
    loop: Loop,
) -> None:
    """Taken out by a reorg and held by no node any more, its nonce unused: no `Withdrawn` would ever come and its
    nonce would never be used, so the request kept its hold for ever, and every later transaction of the operator's
    key waited behind it. Once its block is final it is sent again (its own signed bytes: paid out once at most)."""
    fund(loop)
    before = available_usdc(loop)
    request_hash = store_accepted(loop, address_of(BOB))
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    assert request_state(loop, request_hash)[0] == "relayed"
    with loop.container.uow() as uow:
        tx_hash = uow.session.get_one(WithdrawalRequest, request_hash).tx_hash
    assert loop.chain.rpc("evm_revert", snapshot)  # gone, and the node no longer knows it
    assert loop.chain.rpc("eth_getTransactionByHash", tx_hash) is None
    loop.chain.mine(3)
    loop.index()  # the final block passes where it was
    loop.relayer.tick()  # sent again: anvil mines it, its receipt a moment after the send returned
    assert loop.chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1  # type: ignore[arg-type]
    assert request_state(loop, request_hash) == ("relayed", None)
    loop.chain.mine(3)
    loop.index()  # its Withdrawn final
    loop.relayer.tick()
    assert request_state(loop, request_hash) == ("completed", None)
    loop.index()
    assert available_usdc(loop) == before - 2_000 * 10**6  # paid out once
    assert loop.chain.vault_balance(BOB, "USDC") == before - 2_000 * 10**6
