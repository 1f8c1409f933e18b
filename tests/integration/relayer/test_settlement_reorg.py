"""A settlement batch the relayer saw mined (it acts at one confirmation) and a reorg then took out of the final
chain: its fills go back in line and settle once, in another batch, instead of waiting for ever, their holds
kept, for final events that never come."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.db.models import OperatorTx

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, PRICE, WEI, Loop, fund
from .test_withdrawal_reorg import take_the_nonce


def fill_state(loop: Loop) -> tuple[str, str | None, bool]:
    [fill] = loop.fills()
    return fill.status, fill.tx_hash, fill.released


def usdc(loop: Loop, key_index: int) -> tuple[int, int]:
    """(available, reserved) of the wallet's USDC, as the API serves them."""
    balances = loop.client.get(f"/v1/accounts/{address_of(key_index)}/balances").json()["balances"]
    row: dict[str, Any] = next(b for b in balances if b["token"] == loop.chain.token("USDC").address)
    return int(row["available"]), int(row["reserved"])


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
    loop.index()  # the indexer follows the new fork; its final block is past the nonce's use
    assert fill_state(loop) == ("settled", first_tx, False)
    assert usdc(loop, BOB) == bob_before  # still held: the trade has not happened

    loop.relayer.tick()  # finds the batch lost: the fill goes back in line (and may be sent in the same round)
    with loop.container.uow() as uow:
        lost = uow.session.scalars(select(OperatorTx).where(OperatorTx.mined_hash == first_tx)).one()
        assert (lost.status, lost.error) == ("failed", "lost_in_reorg: a reorg took the transaction out and its "
                                             "nonce was used by another")  # fmt: skip
    assert fill_state(loop)[0] in ("unsettled", "settling")
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
