"""A trade the Exchange skips fails its fill with the contract's error and arguments, and both parties hear why.

The skip is forced the way users force it: after the engine matched, the maker acts on-chain (cancels the order
or raises its nonce floor) before the relayer's batch is mined. Fills failed before submission (screening, a
trade that would revert) are told in words too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.compliance.lists import SanctionsList
from backend.compliance.store import import_list
from backend.db.models import ChainEvent, Market, Order, SettlementItem
from backend.trading.store import settlement as fills
from relayer.transactions import Simulation, SimulationFailed

from ..devchain import address_of
from ..e2e.test_hybrid_loop import ALICE, BOB, WEI, Loop, fund


def signed_order(loop: Loop, order_hash: str) -> tuple[Any, ...]:
    """The order as its maker signed it (the Exchange's `Order` tuple), from the API's records."""
    with loop.container.uow() as uow:
        order = uow.session.scalars(select(Order).where(Order.hash == order_hash)).one()
        market = uow.session.scalars(select(Market).where(Market.name == order.market)).one()
        return (order.maker, market.base_token, market.quote_token, order.side, order.base_amount,
                order.limit_price, order.trigger_price, order.max_fee_rate, order.nonce, order.expiry,
                order.flags)  # fmt: skip


def settle_and_tell(loop: Loop) -> set[tuple[str, str, str | None, str | None]]:
    """Let the relayer submit the batch and read its receipt; what each party was told about its fill."""
    loop.relayer.tick()  # screened, simulated (a skip does not revert), signed, sent, mined
    loop.relayer.tick()  # the receipt: TradeSkipped
    return {(w, m["status"], m["failure"], m["reason"]) for w, m in loop.notes if m["type"] == "settlement"}


def short(value: str) -> str:
    return f"{value[:6]}…{value[-4:]}"


def test_a_fill_whose_maker_order_was_cancelled_on_chain_fails_naming_the_order(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    [fill] = loop.fills()
    loop.chain.send(ALICE, loop.chain.exchange.functions.cancelOrders([signed_order(loop, fill.maker_order_hash)]))

    told = settle_and_tell(loop)

    [fill] = loop.fills()
    failure = f"skipped_on_chain:OrderCancelled(orderHash={fill.maker_order_hash})"
    words = f"not settled: order {short(fill.maker_order_hash)} was cancelled on-chain by its maker"
    assert (fill.status, fill.failure) == ("failed", failure)
    assert told == {(address_of(ALICE), "failed", failure, words), (address_of(BOB), "failed", failure, words)}
    for party in (ALICE, BOB):  # the REST fill view says the same later
        [seen] = loop.client.get(f"/v1/accounts/{address_of(party)}/fills").json()["fills"]
        assert (seen["status"], seen["failure"], seen["failureReason"]) == ("failed", failure, words)
    with loop.container.uow() as uow:
        [item] = uow.session.scalars(select(SettlementItem)).all()
        assert (item.outcome, item.reason) == ("skipped", "OrderCancelled")
        assert item.details == {
            "error": "OrderCancelled", "arguments": {"orderHash": fill.maker_order_hash}, "message": words,
        }  # fmt: skip
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))  # nothing moved on-chain, and the ledger agrees
    with loop.container.uow() as uow:  # the fill names the transaction whose final TradeSkipped frees its holds
        events = uow.session.scalars(select(ChainEvent.name).where(ChainEvent.tx_hash == fill.tx_hash)).all()
    assert fill.tx_hash is not None and "TradeSkipped" in events


def test_a_fill_whose_taker_order_fell_below_the_nonce_floor_fails_naming_its_nonce_and_the_floor(
    loop: Loop,
) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    [fill] = loop.fills()
    nonce = signed_order(loop, fill.taker_order_hash)[8]
    loop.chain.send(BOB, loop.chain.exchange.functions.raiseNonceFloor(nonce + 1))

    told = settle_and_tell(loop)

    [fill] = loop.fills()
    failure = (
        f"skipped_on_chain:OrderNonceBelowFloor(orderHash={fill.taker_order_hash}, nonce={nonce}, "
        f"nonceFloor={nonce + 1})"
    )
    words = (
        f"not settled: order {short(fill.taker_order_hash)} was invalidated on-chain: its nonce {nonce} is below "
        f"its maker's nonce floor {nonce + 1}"
    )
    assert (fill.status, fill.failure) == ("failed", failure)
    assert told == {(address_of(ALICE), "failed", failure, words), (address_of(BOB), "failed", failure, words)}
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_fill_blocked_by_screening_tells_both_parties_which_party_did_not_pass(loop: Loop) -> None:
    fund(loop)
    with loop.container.uow() as uow:
        import_list(uow.session, SanctionsList("ofac-sdn", "test", frozenset({address_of(BOB).lower()})))
        uow.commit()
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    words = "not settled: the taker did not pass address screening"
    assert settle_and_tell(loop) == {
        (address_of(ALICE), "failed", "blocked_by_screening:taker", words),
        (address_of(BOB), "failed", "blocked_by_screening:taker", words),
    }


def test_a_fill_that_would_revert_on_chain_tells_both_parties_so(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)

    def reverts(to: str, data: str) -> Simulation:
        raise SimulationFailed("execution reverted (injected)")

    loop.relayer.txm.simulate = reverts  # type: ignore[method-assign]
    told = settle_and_tell(loop)
    [fill] = loop.fills()
    assert fill.status == "failed"
    assert told == {(w, "failed", fill.failure, "not settled: the trade would revert on-chain")
                    for w in (address_of(ALICE), address_of(BOB))}  # fmt: skip


def test_a_fill_a_batch_claimed_while_its_simulation_failed_is_left_to_that_batch(loop: Loop) -> None:
    """Failing before submission is guarded by the fill's status, not by the lease alone: a fill some batch claimed
    meanwhile (it is settling) is that batch's to decide, and nobody is told it failed."""
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)

    def claimed_meanwhile(to: str, data: str) -> Simulation:
        with loop.container.uow() as uow:
            assert fills.claim(uow.session, [fill.id for fill in loop.fills()])
            uow.commit()
        raise SimulationFailed("execution reverted (injected)")

    loop.relayer.txm.simulate = claimed_meanwhile  # type: ignore[method-assign]
    told = settle_and_tell(loop)
    assert [(fill.status, fill.failure) for fill in loop.fills()] == [("settling", None)]
    assert told == set()


def test_an_order_whose_nonce_another_order_spent_on_chain_after_it_matched_fails_that_fill_and_leaves_the_book(
    loop: Loop,
) -> None:
    """Cancelling on-chain an order never sent to HDEX spends its nonce: an untraded order of the same maker and
    nonce that HDEX holds can then never settle. A trade matched before the cancel was seen is skipped
    (`OrderNonceUsed`); the order leaves the book (by the cancel's nonce, or by the skip once final), so that no
    later taker's fill fails on it too."""
    fund(loop)
    resting = loop.place(ALICE, side=1)
    twin = list(signed_order(loop, resting["hash"]))
    twin[9] += 1  # another expiry: another order, with the same nonce
    loop.chain.send(ALICE, loop.chain.exchange.functions.cancelOrders([tuple(twin)]))
    loop.place(BOB, side=0, amount=WEI // 2)

    settle_and_tell(loop)
    [fill] = loop.fills()
    assert (fill.status, fill.failure) == (
        "failed",
        f"skipped_on_chain:OrderNonceUsed(orderHash={resting['hash']}, maker={address_of(ALICE)}, nonce={twin[8]})",
    )
    loop.index()  # the skip is final: the fill's holds come back, and the order goes
    view = loop.client.get(f"/v1/orders/{resting['hash']}").json()
    assert (view["status"], view["reason"]) == ("cancelled", "nonce_used_on_chain")
    assert loop.place(BOB, side=0, amount=WEI // 2)["status"] == "open"  # nothing left for it to fail on
    assert len(loop.fills()) == 1
    loop.ledger_equals_chain((ALICE, BOB))
