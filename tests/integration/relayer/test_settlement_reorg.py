"""A settlement batch the relayer saw mined (it acts at one confirmation) and a reorg then took out of the final
chain: its fills go back in line and settle once, in another batch, instead of waiting for ever, their holds
kept, for final events that never come."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from backend.chain.jsonrpc import RpcError
from backend.db.models import ChainEvent, OperatorTx

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, PRICE, WEI, Loop, fund
from .test_skip_reasons_reach_the_fill_and_its_parties import signed_order
from .test_withdrawal_reorg import take_the_nonce


def fill_state(loop: Loop) -> tuple[str, str | None, bool]:
    [fill] = loop.fills()
    return fill.status, fill.tx_hash, fill.released


def usdc(loop: Loop, key_index: int) -> tuple[int, int]:
    """(available, reserved) of the wallet's USDC, as the API serves them."""
    balances = loop.client.get(f"/v1/accounts/{address_of(key_index)}/balances").json()["balances"]
    row: dict[str, Any] = next(b for b in balances if b["token"] == loop.chain.token("USDC").address)
    return int(row["available"]), int(row["reserved"])


def trade_events(loop: Loop, tx_hash: str | None) -> list[str]:
    """The statuses of the TradeSettled and TradeSkipped events the indexer holds of `tx_hash`."""
    with loop.container.uow() as uow:
        return list(uow.session.scalars(select(ChainEvent.status).where(
            ChainEvent.tx_hash == tx_hash, ChainEvent.name.in_(("TradeSettled", "TradeSkipped"))
        )))  # fmt: skip


def test_a_settled_batch_a_reorg_took_out_for_good_settles_its_trade_again_once(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)  # sells 1 WETH at 3,000
    loop.place(BOB, side=0)  # buys it: one fill, Bob's 3,000 USDC (and fee) held
    bob_before = usdc(loop, BOB)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()  # sent, mined: settled at one confirmation
    status, first_tx, _released = fill_state(loop)
    assert status == "settled"
    loop.relayer.tick()
    assert fill_state(loop) == ("settled", first_tx, False)  # its block is not final: it waits

    assert loop.chain.rpc("evm_revert", snapshot)  # a reorg takes the batch's block out
    take_the_nonce(loop)
    loop.chain.mine(3)
    # The indexer follows the new fork (its final block past the nonce's use); the relayer's check of the batches
    # now final finds this one lost: the fill goes back in line
    loop.index()
    assert trade_events(loop, first_tx) == []  # the indexer never saw it (this chain's finality is 1 block)
    assert fill_state(loop) == ("unsettled", None, False)
    assert usdc(loop, BOB) == bob_before  # still held: the trade has not happened
    with loop.container.uow() as uow:
        lost = uow.session.scalars(select(OperatorTx).where(OperatorTx.mined_hash == first_tx)).one()
        assert (lost.status, lost.error) == ("failed", "lost_in_reorg: a reorg took the transaction out and its "
                                             "nonce was used by another")  # fmt: skip
    told = [m["status"] for wallet, m in loop.notes if m["type"] == "settlement" and wallet == address_of(BOB)]
    assert told == ["settled", "unsettled"]

    loop.relay()  # settled again, in a new batch
    status, second_tx, _released = fill_state(loop)
    assert status == "settled" and second_tx not in (None, first_tx)
    loop.chain.mine(3)
    loop.index()  # final: the ledger carries the trade, the holds end
    assert fill_state(loop) == ("settled", second_tx, True)
    loop.ledger_equals_chain((ALICE, BOB))
    [fill] = loop.fills()
    assert loop.chain.vault_balance(ALICE, "USDC") == 3_000 * 10**6 - fill.maker_fee  # the trade settled once
    assert loop.chain.vault_balance(ALICE, "WETH") == 2 * WEI - WEI
    assert usdc(loop, BOB) == (10_000 * 10**6 - PRICE, 0)  # paid once (his fee is in WETH), nothing held


def test_a_settled_batch_the_indexer_holds_final_is_never_put_back_whatever_a_node_says(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node that lags (or a load balancer's backend that does) answers no receipt for a batch mined long ago. Its
    nonce is used at the final block, so without the indexer's word the batch would look lost: its trade would be
    put back in line and settled a second time."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    loop.relay()
    _status, tx_hash, _released = fill_state(loop)
    loop.chain.mine(3)
    loop.indexer.poll()  # final on record; the engine has not released the holds yet (no sync)
    assert trade_events(loop, tx_hash) == ["final"]
    rpc = loop.relayer.txm.rpc
    asked = rpc.call

    def lagging(method: str, params: list[Any]) -> Any:
        return None if method == "eth_getTransactionReceipt" else asked(method, params)

    monkeypatch.setattr(rpc, "call", lagging)
    loop.relayer.tick()
    assert fill_state(loop) == ("settled", tx_hash, False)
    monkeypatch.undo()
    loop.index()  # the engine's sync releases the holds; the trade settled once
    assert fill_state(loop) == ("settled", tx_hash, True)
    loop.ledger_equals_chain((ALICE, BOB))
    assert usdc(loop, BOB) == (10_000 * 10**6 - PRICE, 0)


def test_a_batch_mined_again_after_a_reorg_is_recorded_as_the_final_chain_ran_it(loop: Loop) -> None:
    """Seen settled, then taken out by a reorg and mined again (the same signed bytes) after the maker cancelled
    the order on-chain: on the final chain the trade was skipped. The fill must say so and both parties be told,
    and the engine gives the holds back only once the relayer has compared the batch with the final chain (as
    the final chain ran it: nothing moved)."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    bob_before = usdc(loop, BOB)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    [fill] = loop.fills()
    assert fill.status == "settled"
    with loop.container.uow() as uow:
        raw = uow.session.scalars(select(OperatorTx.raw_tx).where(OperatorTx.mined_hash == fill.tx_hash)).one()

    assert loop.chain.rpc("evm_revert", snapshot)  # the reorg; on the new fork the maker cancels first
    loop.chain.send(ALICE, loop.chain.exchange.functions.cancelOrders([signed_order(loop, fill.maker_order_hash)]))
    assert loop.chain.rpc("eth_sendRawTransaction", raw) == fill.tx_hash  # then the batch is mined again
    loop.chain.mine(3)
    loop.indexer.poll()  # final: a TradeSkipped, where the relayer recorded a settlement
    assert trade_events(loop, fill.tx_hash) == ["final"]
    app: Any = loop.client.app
    loop.client.portal.call(app.state.trading.sync_once)  # the engine's sync, before the relayer's check
    assert loop.fills()[0].released is False  # it waits for the check

    loop.relayer.tick()
    failure = f"skipped_on_chain:OrderCancelled(orderHash={fill.maker_order_hash})"
    [fill] = loop.fills()
    assert (fill.status, fill.failure, fill.released) == ("failed", failure, False)
    told = [m["status"] for wallet, m in loop.notes if m["type"] == "settlement" and wallet == address_of(BOB)]
    assert told == ["settled", "failed"]
    with loop.container.uow() as uow:
        batch = uow.session.scalars(select(OperatorTx).where(OperatorTx.mined_hash == fill.tx_hash)).one()
        assert (batch.status, batch.final_check_due) == ("confirmed", False)
    loop.index()
    assert loop.fills()[0].released
    loop.ledger_equals_chain((ALICE, BOB))
    assert usdc(loop, BOB) == (bob_before[0] + bob_before[1], 0)  # nothing paid, nothing held


def test_a_batch_a_lagging_node_calls_dropped_waits_for_the_final_chain_and_is_never_sent_twice(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mined, but the node answers no receipt for any attempt while the nonce shows used: it looks dropped. Its
    fills used to go back in line at once and be sent again (the second batch skipped on-chain for the spent
    nonce, or, for orders with room left, settled twice). It now waits for the final chain, where the indexer
    holds its trade: recorded settled, never sent again."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    rpc = loop.relayer.txm.rpc
    asked = rpc.call

    def lagging(method: str, params: list[Any]) -> Any:
        return None if method == "eth_getTransactionReceipt" else asked(method, params)

    loop.relayer.tick()  # sent and mined (anvil mines at once)
    loop.chain.mine(1)
    monkeypatch.setattr(rpc, "call", lagging)
    loop.relayer.tick()  # no receipt, nonce used: dropped
    loop.relayer.tick()  # nothing new goes out while it is undecided
    with loop.container.uow() as uow:
        [batch] = uow.session.scalars(select(OperatorTx)).all()
        assert (batch.status, batch.final_check_due) == ("dropped", True)
    assert loop.fills()[0].status == "settling"
    loop.index()  # final: its TradeSettled on record; the relayer records it, the engine gives the holds back
    monkeypatch.undo()
    loop.relayer.tick()
    [fill] = loop.fills()
    assert (fill.status, fill.released) == ("settled", True)
    with loop.container.uow() as uow:
        [batch] = uow.session.scalars(select(OperatorTx)).all()  # one batch only: never sent twice
        assert (batch.status, batch.final_check_due, batch.mined_hash) == ("confirmed", False, fill.tx_hash)
    loop.ledger_equals_chain((ALICE, BOB))
    assert usdc(loop, BOB) == (10_000 * 10**6 - PRICE, 0)


def test_a_settled_batch_a_reorg_took_out_that_no_node_holds_is_sent_again_and_settles_once(loop: Loop) -> None:
    """Taken out by a reorg and held by no node any more, its nonce unused: it would wait for ever, and every later
    transaction of the operator's key behind it. Once its block is final it is sent again (its own signed bytes)."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    _status, tx_hash, _released = fill_state(loop)
    assert loop.chain.rpc("evm_revert", snapshot)  # gone, and the node no longer knows it
    assert loop.chain.rpc("eth_getTransactionByHash", tx_hash) is None
    loop.chain.mine(3)
    loop.index()  # the final block passes where it was: the relayer's check sends it again, and anvil mines it
    assert loop.chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1  # type: ignore[arg-type]
    loop.index()  # its events final: recorded, the holds given back
    assert fill_state(loop) == ("settled", tx_hash, True)
    with loop.container.uow() as uow:
        assert len(uow.session.scalars(select(OperatorTx)).all()) == 1  # never a second batch
    loop.ledger_equals_chain((ALICE, BOB))
    assert usdc(loop, BOB) == (10_000 * 10**6 - PRICE, 0)


def test_a_batch_a_reorg_took_out_before_its_block_was_final_is_sent_again_before_the_next_batch(
    loop: Loop,
) -> None:
    """The next batch took the lowest nonce the chain had not used: the one of a batch a reorg had just taken out,
    which then could never be mined (its fills waited for the final check to put them in a third batch, and a batch
    built on its balances saw trades skipped). That batch is now sent again first, and the next goes above it."""
    fund(loop)
    loop.place(ALICE, side=1, amount=WEI // 2)
    loop.place(BOB, side=0, amount=WEI // 2)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()  # mined at one confirmation: its block is not final
    assert loop.chain.rpc("evm_revert", snapshot)  # a reorg takes it out, and no node holds it any more
    loop.place(ALICE, side=1, amount=WEI // 2)
    loop.place(BOB, side=0, amount=WEI // 2)
    loop.relayer.tick()  # the taken-out batch is sent again (its own bytes), before any new one
    with loop.container.uow() as uow:
        [first] = uow.session.scalars(select(OperatorTx)).all()
    assert loop.chain.w3.eth.wait_for_transaction_receipt(first.tx_hash, timeout=30)["status"] == 1  # type: ignore[arg-type]
    loop.relay()  # then the second fill's batch

    with loop.container.uow() as uow:
        again, second = uow.session.scalars(select(OperatorTx).order_by(OperatorTx.id)).all()
    assert (again.id, again.hashes, second.nonce) == (first.id, [first.tx_hash], first.nonce + 1)  # its own bytes
    loop.chain.mine(3)
    loop.index()
    assert [(f.status, f.tx_hash) for f in loop.fills()] == [("settled", first.tx_hash), ("settled", second.tx_hash)]
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_reorg_that_took_out_only_the_newer_of_two_unfinal_batches_sends_that_one_again_first(loop: Loop) -> None:
    """Two batches mined, neither final, and a shallow reorg takes out only the newer: the older (its nonce used)
    hid it, so nothing sent it again until its block was final, and every later transaction waited behind its
    nonce meanwhile. The lowest batch whose nonce the chain has not used goes out again first."""
    fund(loop)
    loop.place(ALICE, side=1, amount=WEI // 4)
    loop.place(BOB, side=0, amount=WEI // 4)
    loop.relay()
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.place(ALICE, side=1, amount=WEI // 4)
    loop.place(BOB, side=0, amount=WEI // 4)
    loop.relay()
    assert loop.chain.rpc("evm_revert", snapshot)  # the newer batch is gone, and no node holds it any more
    loop.place(ALICE, side=1, amount=WEI // 4)
    loop.place(BOB, side=0, amount=WEI // 4)
    loop.relayer.tick()  # the taken-out batch is sent again (its own bytes), before any new one
    with loop.container.uow() as uow:
        older, newer = uow.session.scalars(select(OperatorTx).order_by(OperatorTx.id)).all()
    assert loop.chain.w3.eth.wait_for_transaction_receipt(newer.tx_hash, timeout=30)["status"] == 1  # type: ignore[arg-type]
    loop.relay()  # then the third fill's batch, above it

    with loop.container.uow() as uow:
        nonces = [tx.nonce for tx in uow.session.scalars(select(OperatorTx).order_by(OperatorTx.id))]
    assert nonces == [older.nonce, older.nonce + 1, older.nonce + 2]
    loop.chain.mine(3)
    loop.index()
    assert [f.status for f in loop.fills()] == ["settled"] * 3
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_batch_a_reorg_put_back_in_a_pool_unmined_is_repriced_not_waited_for(loop: Loop) -> None:
    """A reorg can leave a batch in a node's pool, not mined (its fees too low by then): sending its bytes again did
    nothing, and every later transaction of the key waited behind its nonce. It is replaced at higher fees, as a
    stuck transaction is."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    assert loop.chain.rpc("evm_revert", snapshot)
    loop.chain.rpc("evm_setAutomine", False)
    with loop.container.uow() as uow:
        [batch] = uow.session.scalars(select(OperatorTx)).all()
    loop.chain.rpc("eth_sendRawTransaction", batch.raw_tx)  # back in the pool, and left there
    txm = loop.relayer.txm
    txm.policy = dataclasses.replace(txm.policy, stuck_after_s=0.0)  # it has waited long enough

    loop.relayer.tick()

    with loop.container.uow() as uow:
        repriced = uow.session.get_one(OperatorTx, batch.id)
    assert len(repriced.hashes) == 2 and repriced.max_fee_per_gas > batch.max_fee_per_gas
    loop.chain.rpc("evm_mine")
    loop.chain.rpc("evm_setAutomine", True)
    assert loop.chain.w3.eth.get_transaction_receipt(repriced.hashes[1])["status"] == 1
    loop.chain.mine(3)
    loop.index()
    assert fill_state(loop) == ("settled", repriced.hashes[1], True)
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_batch_a_reorg_took_out_is_revived_once_a_round_not_by_both_checks(loop: Loop) -> None:
    """Its block final, the batch is revived by the final check; the round then looked for a taken-out batch, found
    the same one and revived it again: its RPCs twice, and one that had waited long enough repriced twice in one
    round. It is revived once a round: sent again as signed, repriced in a later round if still unmined."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    assert loop.chain.rpc("evm_revert", snapshot)  # gone, and the node no longer knows it
    loop.chain.rpc("evm_setAutomine", False)  # what is sent again waits in the pool
    loop.chain.mine(4)
    loop.indexer.poll()  # the final block passes where the batch was
    txm = loop.relayer.txm
    txm.policy = dataclasses.replace(txm.policy, stuck_after_s=0.0)  # whatever a pool holds has waited long enough

    loop.relayer.tick()

    with loop.container.uow() as uow:
        [batch] = uow.session.scalars(select(OperatorTx)).all()
    assert len(batch.hashes) == 1  # sent again as signed, not also repriced
    loop.relayer.tick()
    with loop.container.uow() as uow:
        repriced = uow.session.get_one(OperatorTx, batch.id)
    assert len(repriced.hashes) == 2  # the next round reprices it
    loop.chain.rpc("evm_mine")
    loop.chain.rpc("evm_setAutomine", True)
    loop.chain.mine(3)
    loop.index()
    assert fill_state(loop) == ("settled", repriced.hashes[1], True)
    loop.ledger_equals_chain((ALICE, BOB))


def stand_in_batch(loop: Loop, *, to: str, sender: str) -> int:
    """A confirmed settlement batch on record, due for the final check, that the chain never saw: as a batch sent to
    an Exchange since redeployed (`to`) or by another operator key (`sender`) looks to this relayer."""
    with loop.container.uow() as uow:
        final = uow.session.scalars(select(OperatorTx.block_number).where(OperatorTx.block_number.is_not(None))).all()
        tx = OperatorTx(
            chain_id=31337, kind="settle", reference=f"settle:stand-in:{to}:{sender}", sender=sender, nonce=0, to=to,
            data="0x", gas_limit=21_000, access_list=[], max_fee_per_gas=1, max_priority_fee_per_gas=1,
            raw_tx="0x00", tx_hash="0x" + "ab" * 32, hashes=["0x" + "ab" * 32], status="confirmed",
            mined_hash="0x" + "ab" * 32, block_number=min(final), final_check_due=True,
        )  # fmt: skip
        uow.session.add(tx)
        uow.session.flush()
        tx_id = tx.id
        uow.commit()
    return tx_id


def stand_in_state(loop: Loop, tx_id: int) -> tuple[str, bool]:
    with loop.container.uow() as uow:
        tx = uow.session.get_one(OperatorTx, tx_id)
        return tx.status, tx.final_check_due


def test_a_batch_sent_to_another_exchange_is_not_judged_by_this_exchanges_events(loop: Loop) -> None:
    """The indexer records the events of the configured Exchange only: a batch of an earlier deployment has none of
    them on record, so the check would find it lost (its nonce used, no receipt of its hash here) and put its fills
    back in line."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    loop.relay()
    elsewhere = stand_in_batch(loop, to="0x" + "11" * 20, sender=loop.relayer.txm.sender)
    loop.chain.mine(3)
    loop.index()
    assert stand_in_state(loop, elsewhere) == ("confirmed", True)  # untouched
    assert fill_state(loop)[0] == "settled" and fill_state(loop)[2]  # the real batch checked, its holds released


def test_a_node_failing_in_the_middle_of_the_check_keeps_what_was_decided_before(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch's decision is committed on its own: a node that stops answering at the next batch must not undo
    the fills already put back in line (nor hold them up until it answers)."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    snapshot = loop.chain.rpc("evm_snapshot")
    loop.relay()
    assert loop.chain.rpc("evm_revert", snapshot)  # lost for good: its nonce taken on the new fork
    take_the_nonce(loop)
    loop.chain.mine(3)
    silent = "0x" + "22" * 20  # a key whose nonces this node will not tell: the second batch's check fails
    stand_in = stand_in_batch(loop, to=loop.chain.exchange.address, sender=silent)
    rpc = loop.relayer.txm.rpc
    asked = rpc.call

    def failing(method: str, params: list[Any]) -> Any:
        if method == "eth_getTransactionCount" and params[0] == silent:
            raise RpcError("the node stopped answering")
        return asked(method, params)

    monkeypatch.setattr(rpc, "call", failing)
    loop.index()
    assert fill_state(loop) == ("unsettled", None, False)  # the lost batch decided, and it stands
    assert stand_in_state(loop, stand_in) == ("confirmed", True)  # the other waits for the node
