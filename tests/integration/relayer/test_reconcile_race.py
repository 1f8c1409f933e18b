"""A block mined between two reads of one reconcile never makes our own mined transaction look dropped.

Reconciling reads a receipt and the account nonce; a block arriving between the two once made a mined
withdrawal look replaced (reported `failed`, its hold released although the tokens had left) and put
settled fills back in line. The interleaving is forced on a real anvil that mines only when told.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from backend.chain.jsonrpc import JsonRpcClient
from backend.db.models import OperatorTx, SettlementItem, WithdrawalRequest
from backend.notices import collect
from backend.statuses import REVERTED_ON_CHAIN
from relayer.transactions import DROPPED_ERROR, REVERTED_AFTER_REORG
from relayer.withdrawals import WithdrawalWork

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, Loop, fund
from .signed_withdrawals import signed_withdrawal


class BlockAfterFirstMissingReceipt(JsonRpcClient):
    """The node, with a block mined right after the first receipt lookup that finds nothing."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.mined_in_between = False

    def call(self, method: str, params: list[Any]) -> Any:
        answer = super().call(method, params)
        if method == "eth_getTransactionReceipt" and answer is None and not self.mined_in_between:
            super().call("evm_mine", [])  # the pending transaction lands now, between this read and the next
            self.mined_in_between = True
        return answer


def mine_between_reads(loop: Loop) -> BlockAfterFirstMissingReceipt:
    """From now on transactions wait in the mempool, and the relayer's next reconcile meets a new block."""
    loop.chain.rpc("evm_setAutomine", False)
    rpc = BlockAfterFirstMissingReceipt(loop.chain.url)
    loop.relayer.txm.rpc = rpc
    return rpc


def operator_txs(loop: Loop, kind: str) -> list[OperatorTx]:
    with loop.container.uow() as uow:
        return list(uow.session.scalars(select(OperatorTx).where(OperatorTx.kind == kind)))


def request_withdrawal(loop: Loop, key_index: int, symbol: str, amount: int) -> str:
    withdrawal, _, signature = signed_withdrawal(loop, key_index, symbol, amount)
    body = {"withdrawal": {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()},
            "signature": "0x" + signature.hex()}  # fmt: skip
    accepted = loop.client.post("/v1/withdrawals", json=body)
    assert accepted.status_code == 202, accepted.text
    return str(accepted.json()["hash"])


def test_a_withdrawal_mined_between_the_receipt_and_nonce_reads_is_relayed_not_failed(loop: Loop) -> None:
    fund(loop)
    withdrawal = request_withdrawal(loop, BOB, "USDC", 2_000 * 10**6)
    rpc = mine_between_reads(loop)
    loop.relayer.tick()  # signed, stored, sent: waits in the mempool
    loop.relayer.tick()  # reconcile: no receipt yet ... a block lands ... then the nonce is read
    assert rpc.mined_in_between
    loop.relayer.tick()
    assert loop.client.get(f"/v1/withdrawals/{withdrawal}").json()["status"] == "relayed"
    loop.index()  # Withdrawn final in the ledger
    loop.relayer.tick()
    assert loop.client.get(f"/v1/withdrawals/{withdrawal}").json()["status"] == "completed"
    steps = [m["status"] for wallet, m in loop.notes if m["type"] == "withdrawal" and wallet == address_of(BOB)]
    assert steps == ["relayed", "completed"]
    assert [tx.status for tx in operator_txs(loop, "withdraw")] == ["confirmed"]
    assert loop.chain.exchange.functions.isWithdrawalProcessed(bytes.fromhex(withdrawal[2:])).call()
    loop.ledger_equals_chain((BOB,))


def test_a_settlement_batch_mined_between_the_receipt_and_nonce_reads_settles_its_fills_once(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    rpc = mine_between_reads(loop)
    loop.relayer.tick()  # the batch is signed, stored, sent: waits in the mempool
    loop.relayer.tick()  # reconcile: no receipt yet ... a block lands ... then the nonce is read
    assert rpc.mined_in_between
    loop.relayer.tick()
    [batch] = operator_txs(loop, "settle")  # never re-queued, so never sent twice
    assert batch.status == "confirmed"
    [fill] = loop.fills()
    assert (fill.status, fill.tx_hash) == ("settled", batch.mined_hash)
    with loop.container.uow() as uow:
        assert [i.outcome for i in uow.session.scalars(select(SettlementItem))] == ["settled"]
    told = {m["status"] for _, m in loop.notes if m["type"] == "settlement"}
    assert told == {"settled"}
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_withdrawal_an_earlier_relayer_failed_as_dropped_is_completed_once_its_withdrawn_event_is_final(
    loop: Loop,
) -> None:
    fund(loop)
    withdrawal = request_withdrawal(loop, BOB, "USDC", 2_000 * 10**6)
    loop.relayer.tick()  # signed, sent, mined
    loop.relayer.tick()
    [mined] = operator_txs(loop, "withdraw")
    with loop.container.uow() as uow:  # what the racy reconcile left behind: paid, yet reported failed
        row = uow.session.get(WithdrawalRequest, withdrawal)
        assert row is not None and row.status == "relayed"
        row.status, row.failure = "failed", DROPPED_ERROR
        uow.commit()
    loop.index()  # Withdrawn final in the ledger
    [work] = [w for w in loop.relayer.workers if isinstance(w, WithdrawalWork)]
    now_ms = work._now_ms

    def mail_pass_meanwhile() -> int:  # after the relayer read it as failed, before it writes: told "failed"
        with loop.container.uow() as uow:
            collect(uow.session, now_ms())
            uow.commit()
        work._now_ms = now_ms  # type: ignore[method-assign]
        return now_ms()

    work._now_ms = mail_pass_meanwhile  # type: ignore[method-assign]
    loop.relayer.tick()
    status = loop.client.get(f"/v1/withdrawals/{withdrawal}").json()
    assert (status["status"], status["failure"], status["txHash"]) == ("completed", None, mined.mined_hash)
    with loop.container.uow() as uow:  # to be mailed again: how it ended
        assert uow.session.get_one(WithdrawalRequest, withdrawal).noticed is False
    loop.ledger_equals_chain((BOB,))


@pytest.mark.parametrize("failure", [REVERTED_ON_CHAIN, REVERTED_AFTER_REORG])
def test_a_withdrawal_failed_as_reverted_whose_withdrawn_event_is_final_is_completed(loop: Loop, failure: str) -> None:
    """Reverted where the relayer's node first saw it mined; a reorg deeper than its confirmations mined it again,
    successfully: the ledger had the debit, the request said failed (and its wallet was told so) for good."""
    fund(loop)
    withdrawal = request_withdrawal(loop, BOB, "USDC", 2_000 * 10**6)
    loop.relayer.tick()  # signed, sent, mined
    loop.relayer.tick()
    [mined] = operator_txs(loop, "withdraw")
    with loop.container.uow() as uow:  # as the relayer recorded the first sighting
        row = uow.session.get_one(WithdrawalRequest, withdrawal)
        row.status, row.failure = "failed", failure
        uow.commit()
    loop.index()  # Withdrawn final in the ledger

    loop.relayer.tick()

    status = loop.client.get(f"/v1/withdrawals/{withdrawal}").json()
    assert (status["status"], status["failure"], status["txHash"]) == ("completed", None, mined.mined_hash)
    loop.ledger_equals_chain((BOB,))


def test_a_withdrawal_completed_by_the_final_chain_stays_completed_when_a_lagging_node_reports_its_receipt(
    loop: Loop,
) -> None:
    """The indexer can see a withdrawal's Withdrawn final before the relayer's own node shows the receipt (a lagging
    node, or HDEX_RELAYER_CONFIRMATIONS above HDEX_CONFIRMATIONS): the receipt then moved it back to relayed, its
    amount counted as pending again on top of the ledger's debit, and the wallet told "relayed" after "completed"."""
    fund(loop)
    withdrawal = request_withdrawal(loop, BOB, "USDC", 2_000 * 10**6)
    loop.relayer.tick()
    loop.relayer.tick()
    loop.index()
    loop.relayer.tick()
    assert loop.client.get(f"/v1/withdrawals/{withdrawal}").json()["status"] == "completed"
    work = next(w for w in loop.relayer.workers if w.kind == "withdraw")
    with loop.container.uow() as uow:  # the tracker reports the receipt late
        [tx] = uow.session.scalars(select(OperatorTx).where(OperatorTx.kind == "withdraw")).all()
        work.finish(uow.session, tx, {"status": "0x1"})
        uow.commit()

    assert loop.client.get(f"/v1/withdrawals/{withdrawal}").json()["status"] == "completed"
    steps = [m["status"] for wallet, m in loop.notes if m["type"] == "withdrawal" and wallet == address_of(BOB)]
    assert steps == ["relayed", "completed"]
