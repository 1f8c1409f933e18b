"""A fill-or-kill taker's fills settle in one batch, whole: the relayer never splits them between two batches,
also when they are more than a batch holds, and one of them blocked fails them all; a relayer whose lease lapsed
while screening fails nothing another relayer has claimed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backend.api.app import create_app
from backend.chain.devkeys import DEV_KEYS
from backend.compliance.lists import SanctionsList
from backend.compliance.store import import_list
from backend.db.leased_loop import LeaseTakenOver
from backend.db.models import Lease, SettlementItem
from backend.signing import Order, order_digest, sign_digest
from backend.trading.store import settlement as fills
from indexer.runner import IndexerLoop, build_follower
from relayer.runner import relayer_for

from ..devchain import DevChain, address_of, dev_market_container
from ..e2e.test_hybrid_loop import PRICE, WEI, Loop

pytestmark = pytest.mark.chain

ALICE, BOB, CAROL, DAVE = 5, 6, 7, 8
FILL_OR_KILL = 8


@pytest.fixture
def loop(devchain: DevChain, database_url: str, tmp_path: Path) -> Iterator[Loop]:
    """The hybrid loop with settlement batches of two trades."""
    container = dev_market_container(
        devchain, database_url, tmp_path, trading_sync_interval=60.0, settlement_batch_size=2
    )
    with TestClient(create_app(container)) as client:
        relayer = relayer_for(container)
        notes: list[tuple[str, dict[str, Any]]] = []
        for work in relayer.workers:
            work.notify = lambda wallet, message: notes.append((wallet, message))  # type: ignore[attr-defined]
        yield Loop(devchain, container, client, IndexerLoop(container, build_follower(container)), relayer, notes)
    container.db_engine.dispose()


def place(loop: Loop, key_index: int, side: int, amount: int, flags: int = 0) -> dict[str, Any]:
    fill_or_kill = bool(flags & FILL_OR_KILL)
    order = Order(
        maker=address_of(key_index), baseToken=loop.chain.token("WETH").address,
        quoteToken=loop.chain.token("USDC").address, side=side, baseAmount=amount, limitPrice=PRICE, triggerPrice=0,
        maxFeeRate=3_000, nonce=time.time_ns(), expiry=int(time.time()) + (30 if fill_or_kill else 3600), flags=flags,
    )  # fmt: skip
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), order_digest(loop.domain, order))
    message = {k: v if isinstance(v, str) else str(v) for k, v in order._asdict().items()}
    response = loop.client.post("/v1/orders", json={"order": message, "signature": "0x" + signature.hex()})
    assert response.status_code == 201, response.text
    return dict(response.json())


def fund_and_trade(loop: Loop) -> None:
    """Fill 1: Carol buys half a WETH of Alice's. Fills 2-4: Bob's fill-or-kill buy of 1.5 WETH takes Alice's
    three other halves, one fill each (three trades: more than a batch of two)."""
    loop.chain.deposit(ALICE, "WETH", 2 * WEI)
    for buyer in (BOB, CAROL):
        loop.chain.deposit(buyer, "USDC", 10_000 * 10**6)
    loop.index()
    for _ in range(4):
        place(loop, ALICE, side=1, amount=WEI // 2)
    place(loop, CAROL, side=0, amount=WEI // 2)
    assert place(loop, BOB, side=0, amount=3 * WEI // 2, flags=FILL_OR_KILL)["status"] == "filled"
    assert [(f.taker, f.base_amount) for f in loop.fills()] == [(address_of(CAROL), WEI // 2)] + [
        (address_of(BOB), WEI // 2)
    ] * 3


def settle_all(loop: Loop) -> None:
    for _ in range(8):
        loop.relayer.tick()
        if all(f.status in ("settled", "failed") for f in loop.fills()):
            return
    raise AssertionError([f.status for f in loop.fills()])


def batches(loop: Loop) -> list[list[int]]:
    with loop.container.uow() as uow:
        order = (SettlementItem.operator_tx_id, SettlementItem.trade_index)
        items = uow.session.scalars(select(SettlementItem).order_by(*order))
        grouped: dict[int, list[int]] = {}
        for item in items:
            grouped.setdefault(item.operator_tx_id, []).append(item.fill_id)
    return list(grouped.values())


def test_a_fill_or_kill_run_cut_by_the_batch_size_waits_and_then_settles_whole_in_one_batch(loop: Loop) -> None:
    fund_and_trade(loop)
    first, *run = (f.id for f in loop.fills())
    settle_all(loop)
    assert [f.status for f in loop.fills()] == ["settled"] * 4
    assert batches(loop) == [[first], run]
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB, CAROL))
    bought = loop.fills()[1:]
    assert loop.chain.vault_balance(BOB, "WETH") == 3 * WEI // 2 - sum(f.taker_fee for f in bought)


def test_a_fill_or_kill_run_with_one_blocked_maker_fails_whole_and_is_never_submitted(loop: Loop) -> None:
    loop.chain.deposit(DAVE, "WETH", WEI)
    loop.chain.deposit(ALICE, "WETH", WEI)
    loop.chain.deposit(BOB, "USDC", 10_000 * 10**6)
    loop.index()
    place(loop, ALICE, side=1, amount=WEI // 2)
    place(loop, DAVE, side=1, amount=WEI // 2)
    place(loop, BOB, side=0, amount=WEI, flags=FILL_OR_KILL)
    with loop.container.uow() as uow:
        import_list(uow.session, SanctionsList("ofac-sdn", "test", frozenset({address_of(DAVE).lower()})))
        uow.commit()
    settle_all(loop)
    assert [(f.status, f.failure) for f in loop.fills()] == [
        ("failed", "fill_or_kill_incomplete"), ("failed", "blocked_by_screening:maker"),
    ]  # fmt: skip
    assert batches(loop) == []
    told = {m["reason"] for wallet, m in loop.notes if wallet == address_of(ALICE)}
    assert any("settles whole or not at all" in reason for reason in told)


def test_a_relayer_whose_lease_lapsed_while_screening_fails_no_fill_the_new_holder_claimed(loop: Loop) -> None:
    """A round slow in screening can outlast the relayer's lease: another relayer takes it over and claims the same
    fills into its batch. A deny-list entry landing meanwhile made the late round fail them, and their holds went
    back while the new holder's batch could still settle them (the seller's base spendable twice)."""
    loop.chain.deposit(ALICE, "WETH", WEI)
    loop.chain.deposit(CAROL, "USDC", 10_000 * 10**6)
    loop.index()
    for _ in range(2):  # two fills: a whole batch, screened at once
        place(loop, ALICE, side=1, amount=WEI // 2)
        place(loop, CAROL, side=0, amount=WEI // 2)
    work = next(w for w in loop.relayer.workers if w.kind == "settle")
    screener = work.screener

    class TakenOverMeanwhile:
        def screen(self, parties: Any, **context: Any) -> Any:
            with loop.container.uow() as uow:  # the other relayer: the lease, the fills in its batch
                uow.session.execute(update(Lease).where(Lease.name.like("relayer:%")).values(owner="other-relayer"))
                assert fills.claim(uow.session, [f.id for f in loop.fills()])
                import_list(uow.session, SanctionsList("ofac-sdn", "test", frozenset({address_of(CAROL).lower()})))
                uow.commit()
            return screener.screen(parties, **context)

    work.screener = TakenOverMeanwhile()
    with pytest.raises(LeaseTakenOver):
        loop.relayer.tick()

    assert [(f.status, f.failure) for f in loop.fills()] == [("settling", None)] * 2  # the new holder's
    assert not [m for _wallet, m in loop.notes if m.get("status") == "failed"]
