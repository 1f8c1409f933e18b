"""The hybrid loop end to end on anvil: deposit -> credit -> signed orders -> match -> settle -> withdraw.

Real parts throughout: the contracts on anvil, the API with its engine host, the indexer and the
relayer, on SQLite and PostgreSQL. The loops are driven tick by tick, so nothing depends on timing.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.chain.deploy import DEV_FEED_DECIMALS, attach_dev_price_feed
from backend.chain.devkeys import DEPLOYER_INDEX, DEV_KEYS
from backend.chain.jsonrpc import JsonRpcClient
from backend.compliance.lists import SanctionsList
from backend.compliance.store import import_list
from backend.db.models import Alert, Fill, Lease, OperatorTx, WithdrawalRequest
from backend.ledger import service as ledger
from backend.ledger.reconcile import reconcile
from backend.paths import PROJECT_ROOT
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from indexer.runner import IndexerLoop, build_follower
from relayer.runner import Relayer, relayer_for
from relayer.settlement import SettlementWork
from relayer.transactions import Simulation, SimulationFailed
from tests.processes import stop_process, without_hdex_settings

from ..devchain import DevChain, address_of, dev_market_container

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6  # USDC base units per 1e18 WETH base units


@dataclass
class Loop:
    chain: DevChain
    container: Container
    client: TestClient
    indexer: IndexerLoop
    relayer: Relayer
    notes: list[tuple[str, dict[str, Any]]]  # what the relayer told each wallet's account channel

    @property
    def domain(self) -> Domain:
        return Domain(31337, self.chain.exchange.address)

    def relay(self) -> None:
        """Two relayer rounds: the first sends; then every transaction it sent has its receipt (anvil mines each
        one, but its receipt may come a moment after the send returned); the second sees them mined."""
        self.relayer.tick()
        with self.container.uow() as uow:
            sent = list(uow.session.scalars(select(OperatorTx.tx_hash).where(OperatorTx.status == "submitted")))
        for tx_hash in sent:
            self.chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)  # type: ignore[arg-type]
        self.relayer.tick()

    def index(self) -> None:
        """Mine a block so everything has its confirmation, index it, let the relayer compare the settlement batches
        now final with the final chain (a running relayer does each round), let trading see it and store what it
        did (the cancels it makes leave the host's memory at once, but reach the database in its next write)."""
        self.chain.mine(1)
        self.indexer.poll()
        for work in self.relayer.workers:
            if isinstance(work, SettlementWork):  # as the relayer holding the lease (or able to take it) does
                self.relayer.leased.tick(partial(work.check_final, self.relayer.txm))
        app: Any = self.client.app
        self.client.portal.call(app.state.trading.sync_once)  # type: ignore[union-attr]
        self.client.portal.call(app.state.trading.host.drain)  # type: ignore[union-attr]

    def place(
        self, key_index: int, side: int, amount: int = WEI, price: int = PRICE, v_base: int = 27,
        trigger_price: int = 0, flags: int = 0, expires_in_s: int = 3600,
    ) -> Any:  # fmt: skip
        """Place an order signed by a dev key; `v_base` 0 signs as the wallets whose v is 0/1."""
        order = Order(
            maker=address_of(key_index),
            baseToken=self.chain.token("WETH").address,
            quoteToken=self.chain.token("USDC").address,
            side=side,
            baseAmount=amount,
            limitPrice=price,
            triggerPrice=trigger_price,
            maxFeeRate=3_000,
            nonce=time.time_ns(),
            expiry=int(time.time()) + expires_in_s,
            flags=flags,
        )
        signature = sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), order_digest(self.domain, order))
        signature = signature[:64] + bytes((signature[64] - 27 + v_base,))
        body = {
            "order": {
                k: v if isinstance(v, str) or k in ("side", "maxFeeRate", "flags") else str(v)
                for k, v in order._asdict().items()
            },
            "signature": "0x" + signature.hex(),
        }
        response = self.client.post("/v1/orders", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def fills(self) -> list[Fill]:
        with self.container.uow() as uow:
            return list(uow.session.scalars(select(Fill).order_by(Fill.id)))

    def ledger_equals_chain(self, key_indices: tuple[int, ...]) -> None:
        with self.container.uow() as uow:
            balances = ledger.balances(uow.session)
        for key_index in key_indices:
            for symbol in ("WETH", "USDC"):
                token = self.chain.token(symbol).address
                assert balances.get((address_of(key_index), token), 0) == self.chain.vault_balance(key_index, symbol)


@pytest.fixture
def loop(devchain: DevChain, database_url: str, tmp_path: Path) -> Iterator[Loop]:
    container = dev_market_container(devchain, database_url, tmp_path, trading_sync_interval=60.0)
    with TestClient(create_app(container)) as client:
        relayer = relayer_for(container)
        notes: list[tuple[str, dict[str, Any]]] = []
        told_early: list[dict[str, Any]] = []

        def note(wallet: str, message: dict[str, Any]) -> None:
            """Record the message, and whether a reader woken by it would still find the old state."""
            notes.append((wallet, message))
            if stored_status(container, message) != message["status"]:
                told_early.append(message)

        for work in relayer.workers:
            work.notify = note  # type: ignore[attr-defined]
        yield Loop(devchain, container, client, IndexerLoop(container, build_follower(container)), relayer, notes)
    container.db_engine.dispose()
    assert told_early == [], "a wallet was told of a change before it was committed"


def stored_status(container: Container, message: dict[str, Any]) -> str | None:
    """The committed status of what an account message is about, read as the API would."""
    with container.session_factory() as session:
        if message["type"] == "settlement":
            fill = session.get(Fill, int(message["fill"]))
            return None if fill is None else fill.status
        request = session.get(WithdrawalRequest, message["hash"])
        return None if request is None else request.status


def fund(loop: Loop) -> None:
    loop.chain.deposit(ALICE, "WETH", 2 * WEI)
    loop.chain.deposit(BOB, "USDC", 10_000 * 10**6)
    loop.index()


def test_deposit_trade_settle_and_withdraw_keep_ledger_and_chain_equal(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)  # sells 1 WETH at 3,000
    loop.place(BOB, side=0)  # buys it: one fill
    [fill] = loop.fills()
    assert fill.status == "unsettled"

    loop.relayer.tick()  # screens both, batches, simulates, signs, sends (anvil mines at once)
    loop.relayer.tick()  # sees the receipt
    [fill] = loop.fills()
    assert fill.status == "settled" and fill.tx_hash
    told = {(wallet, m["status"]) for wallet, m in loop.notes if m["type"] == "settlement"}
    assert told == {(address_of(ALICE), "settled"), (address_of(BOB), "settled")}
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))
    assert loop.chain.vault_balance(ALICE, "USDC") == 3_000 * 10**6 - fill.maker_fee

    # Bob takes half a WETH out to his own wallet.
    weth = loop.chain.token("WETH")
    before = int(weth.functions.balanceOf(address_of(BOB)).call())
    withdrawal = Withdrawal(address_of(BOB), weth.address, WEI // 2, 0, address_of(BOB), 1, int(time.time()) + 3600)
    signature = sign_digest(bytes.fromhex(DEV_KEYS[BOB][2:]), withdrawal_digest(loop.domain, withdrawal))
    body = {"withdrawal": {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()},
            "signature": "0x" + signature.hex()}  # fmt: skip
    accepted = loop.client.post("/v1/withdrawals", json=body)
    assert accepted.status_code == 202, accepted.text
    loop.relayer.tick()  # relays
    loop.relayer.tick()  # mined: relayed
    loop.index()  # Withdrawn final in the ledger
    loop.relayer.tick()  # completed
    assert loop.client.get(f"/v1/withdrawals/{accepted.json()['hash']}").json()["status"] == "completed"
    steps = [m for wallet, m in loop.notes if m["type"] == "withdrawal" and wallet == address_of(BOB)]
    assert [m["status"] for m in steps] == ["relayed", "completed"]
    assert {(m["token"], m["amount"]) for m in steps} == {(weth.address, str(WEI // 2))}  # what, for the notice
    assert int(weth.functions.balanceOf(address_of(BOB)).call()) == before + WEI // 2
    loop.ledger_equals_chain((ALICE, BOB))

    with loop.container.uow() as uow:
        report = reconcile(uow.session, JsonRpcClient(loop.chain.url).call, 31337, loop.chain.exchange.address)
    assert report.ok, report.render()
    assert report.wallets_checked >= 4


def test_orders_and_a_withdrawal_signed_with_v_0_or_1_settle_on_chain(loop: Loop) -> None:
    """Such wallets' signatures recover as 27/28 do, and the contract's ECDSA takes only 27/28: stored as sent,
    every trade of these orders would be skipped on-chain (InvalidSignature) and the withdrawal refused."""
    fund(loop)
    loop.place(ALICE, side=1, v_base=0)
    loop.place(BOB, side=0, v_base=0)
    loop.relayer.tick()
    loop.relayer.tick()
    [fill] = loop.fills()
    assert (fill.status, fill.failure) == ("settled", None)
    loop.index()  # Bob's WETH final in the ledger
    withdrawal = Withdrawal(address_of(BOB), loop.chain.token("WETH").address, WEI // 2, 0, address_of(BOB), 2,
                            int(time.time()) + 3600)  # fmt: skip
    signature = sign_digest(bytes.fromhex(DEV_KEYS[BOB][2:]), withdrawal_digest(loop.domain, withdrawal))
    body = {"withdrawal": {k: v if isinstance(v, str) else str(v) for k, v in withdrawal._asdict().items()},
            "signature": "0x" + (signature[:64] + bytes((signature[64] - 27,))).hex()}  # fmt: skip
    accepted = loop.client.post("/v1/withdrawals", json=body)
    assert accepted.status_code == 202, accepted.text
    loop.relay()
    assert loop.client.get(f"/v1/withdrawals/{accepted.json()['hash']}").json()["status"] == "relayed"


def test_a_sanctioned_makers_trade_is_never_submitted_and_the_counterparty_is_released(loop: Loop) -> None:
    fund(loop)
    with loop.container.uow() as uow:
        import_list(uow.session, SanctionsList("ofac-sdn", "test", frozenset({address_of(ALICE).lower()})))
        uow.commit()
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    loop.relayer.tick()
    loop.relayer.tick()
    [fill] = loop.fills()
    assert fill.status == "failed"
    assert fill.failure == "blocked_by_screening:maker"
    assert {(w, m["status"], m["failure"]) for w, m in loop.notes} == {
        (address_of(ALICE), "failed", "blocked_by_screening:maker"),
        (address_of(BOB), "failed", "blocked_by_screening:maker"),  # the counterparty hears why
    }
    with loop.container.uow() as uow:
        assert uow.session.scalars(select(OperatorTx)).all() == []  # nothing was ever signed
    loop.index()
    balances = loop.client.get(f"/v1/accounts/{address_of(BOB)}/balances").json()["balances"]
    usdc = next(b for b in balances if b["token"] == loop.chain.token("USDC").address)
    assert usdc["reserved"] == "0" and usdc["available"] == str(10_000 * 10**6)
    assert loop.chain.vault_balance(BOB, "USDC") == 10_000 * 10**6


def test_a_batch_with_one_invalid_trade_settles_the_others(loop: Loop) -> None:
    fund(loop)
    loop.chain.deposit(7, "USDC", 10_000 * 10**6)
    loop.index()
    loop.place(ALICE, side=1, amount=WEI // 2)
    loop.place(BOB, side=0, amount=WEI // 2)
    loop.place(ALICE, side=1, amount=WEI // 2)
    loop.place(7, side=0, amount=WEI // 2)
    assert [f.status for f in loop.fills()] == ["unsettled", "unsettled"]
    # Wallet 7 exits on-chain before settlement: the contract refuses to settle for it.
    loop.chain.send(7, loop.chain.exchange.functions.requestExit())
    loop.relayer.tick()
    loop.relayer.tick()
    first, second = loop.fills()
    assert first.status == "settled"
    assert second.status == "failed" and "WalletExited" in (second.failure or "")
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB, 7))


def test_an_rpc_outage_delays_settlement_but_loses_nothing(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    real_call = loop.relayer.txm.rpc.call
    loop.relayer.txm.rpc.call = lambda method, params: (_ for _ in ()).throw(  # type: ignore[method-assign]
        __import__("backend.chain.jsonrpc", fromlist=["RpcError"]).RpcError(f"{method}: connection refused")
    )
    with pytest.raises(Exception, match="connection refused"):
        loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["unsettled"]
    loop.relayer.txm.rpc.call = real_call  # type: ignore[method-assign]
    loop.relayer.tick()
    loop.relayer.tick()
    assert [f.status for f in loop.fills()] == ["settled"]
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))
    with loop.container.uow() as uow:
        assert uow.session.scalars(select(Alert)).all() == []
        assert [r.status for r in uow.session.scalars(select(WithdrawalRequest))] == []


def _wait_for(condition: Any, what: str, timeout: float = 90.0) -> None:
    """Poll until `condition()` holds; the bound is generous, the test never asserts a duration."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.mark.skipif(not os.environ.get("HDEX_REDIS_URL"), reason="the Celery worker needs Redis (HDEX_REDIS_URL)")
def test_a_celery_worker_indexes_and_settles_the_loop(loop: Loop, database_url: str, tmp_path: Path) -> None:
    env = without_hdex_settings(
        HDEX_DATABASE_URL=database_url, HDEX_RPC_URL=loop.chain.url, HDEX_REDIS_URL=os.environ["HDEX_REDIS_URL"],
        HDEX_DATA_DIR=str(tmp_path / "worker"), HDEX_CONFIRMATIONS="1", HDEX_SETTLEMENT_MAX_WAIT_S="0",
        HDEX_BACKGROUND="external",
    )  # fmt: skip
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "worker"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        loop.chain.deposit(ALICE, "WETH", 2 * WEI)
        loop.chain.deposit(BOB, "USDC", 10_000 * 10**6)
        usdc = loop.chain.token("USDC").address

        def credited() -> bool:
            with loop.container.uow() as uow:
                return ledger.balances(uow.session).get((address_of(BOB), usdc), 0) == 10_000 * 10**6

        _wait_for(credited, "the worker's indexer to credit the deposits")
        app: Any = loop.client.app
        loop.client.portal.call(app.state.trading.sync_once)  # type: ignore[union-attr]
        loop.place(ALICE, side=1)
        loop.place(BOB, side=0)
        _wait_for(lambda: [f.status for f in loop.fills()] == ["settled"], "the worker's relayer to settle the fill")
        _wait_for(lambda: loop.chain.vault_balance(BOB, "USDC") < 10_000 * 10**6, "the trade on-chain")

        def ledger_caught_up() -> bool:
            try:
                loop.ledger_equals_chain((ALICE, BOB))
            except AssertionError:
                return False
            return True

        _wait_for(ledger_caught_up, "the ledger to equal the chain")
    finally:
        stop_process(worker, timeout_s=30)
        log.close()


def test_a_relayer_killed_between_submit_and_receipt_settles_each_trade_exactly_once(loop: Loop) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    loop.chain.rpc("evm_setAutomine", False)
    loop.relayer.tick()  # the batch is signed, stored and sent ... then the process dies
    with loop.container.uow() as uow:
        [tx] = uow.session.scalars(select(OperatorTx)).all()
    assert tx.status == "submitted"
    with loop.container.uow() as uow:  # the dead process's lease runs out (its TTL), as after a real crash
        for lease in uow.session.scalars(select(Lease)):
            lease.expires_at_ms = 0
        uow.commit()
    restarted = loop.relayer = relayer_for(loop.container)
    assert restarted.tick()  # takes the lease over; not mined yet: waits, sends nothing new
    loop.chain.rpc("evm_mine")
    loop.chain.rpc("evm_setAutomine", True)
    restarted.tick()
    restarted.tick()
    assert [f.status for f in loop.fills()] == ["settled"]
    receipt = loop.chain.w3.eth.get_transaction_receipt(tx.tx_hash)
    assert len(loop.chain.exchange.events.TradeSettled().process_receipt(receipt)) == 1
    with loop.container.uow() as uow:
        assert len(uow.session.scalars(select(OperatorTx)).all()) == 1  # one batch, one transaction
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def with_a_bad_trade(
    loop: Loop, simulated: Callable[[Simulation], Simulation]
) -> tuple[int, int, int, list[list[int]]]:
    """Three trades (their fills' ids; the middle one is bad) and the batches the relayer builds, in order: every
    batch holding the bad trade simulates as `simulated` makes of the node's answer (it may raise SimulationFailed)."""
    fund(loop)
    for _ in range(3):
        loop.place(ALICE, side=1, amount=WEI // 4)
        loop.place(BOB, side=0, amount=WEI // 4)
    first, bad, last = (f.id for f in loop.fills())
    work = next(w for w in loop.relayer.workers if w.kind == "settle")
    real_calldata, real_simulate = work.calldata, loop.relayer.txm.simulate  # type: ignore[attr-defined]
    tried: list[list[int]] = []

    def calldata(batch: Any) -> str:
        tried.append([f.id for f in batch])
        return str(real_calldata(batch))

    def simulate(to: str, data: str) -> Simulation:
        simulation: Simulation = real_simulate(to, data)
        return simulated(simulation) if bad in tried[-1] else simulation

    work.calldata = calldata  # type: ignore[attr-defined]
    loop.relayer.txm.simulate = simulate  # type: ignore[method-assign]
    return first, bad, last, tried


def test_a_batch_that_would_revert_is_bisected_until_the_bad_trade_is_isolated(loop: Loop) -> None:
    def reverts(_: Simulation) -> Simulation:  # the node says: this batch reverts
        raise SimulationFailed("execution reverted (injected)")

    first, bad, last, tried = with_a_bad_trade(loop, reverts)
    for _ in range(4):
        loop.relayer.tick()
    statuses = {f.id: (f.status, f.failure) for f in loop.fills()}
    assert statuses[first][0] == statuses[last][0] == "settled"
    assert statuses[bad][0] == "failed" and "would revert" in (statuses[bad][1] or "")
    assert tried[0] == [first, bad, last] and [bad] in tried  # bisected down to the bad trade alone
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_relayer_process_killed_between_submit_and_receipt_settles_the_trade_exactly_once(
    loop: Loop, database_url: str, tmp_path: Path
) -> None:
    fund(loop)
    loop.place(ALICE, side=1)
    loop.place(BOB, side=0)
    loop.chain.rpc("evm_setAutomine", False)  # submitted transactions wait in the mempool
    env = without_hdex_settings(
        HDEX_DATABASE_URL=database_url, HDEX_RPC_URL=loop.chain.url, HDEX_DATA_DIR=str(tmp_path / "relayer"),
        HDEX_SETTLEMENT_MAX_WAIT_S="0", HDEX_RELAYER_LEASE_S="2",
    )  # fmt: skip

    def relayer_process() -> subprocess.Popen[bytes]:
        log = (tmp_path / "relayer.log").open("ab")
        command = [sys.executable, "-m", "backend.cli", "relayer", "--interval", "0.2"]
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def operator_txs() -> list[tuple[str, str]]:
        with loop.container.session_factory() as session:
            return [(tx.status, tx.tx_hash) for tx in session.scalars(select(OperatorTx))]

    loop.relayer.leased.release()  # the test's own relayer steps aside, as a relayer stopping does
    first = relayer_process()
    try:
        _wait_for(lambda: [s for s, _ in operator_txs()] == ["submitted"], "the batch to be submitted")
    finally:
        first.send_signal(signal.SIGKILL)  # between submit and receipt
        first.wait(timeout=10)
    second = relayer_process()
    try:
        loop.chain.rpc("evm_mine")
        _wait_for(lambda: [f.status for f in loop.fills()] == ["settled"], "the restarted relayer to settle")
        loop.chain.rpc("evm_setAutomine", True)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    [(status, tx_hash)] = operator_txs()  # one batch, one transaction, across both processes
    assert status == "confirmed"
    receipt = loop.chain.w3.eth.get_transaction_receipt(tx_hash)
    assert len(loop.chain.exchange.events.TradeSettled().process_receipt(receipt)) == 1
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def with_price_source(loop: Loop) -> Any:
    """Fund Alice and Bob, give the market the dev feed as its price source (it says 2,000) and let the engine read
    it; returns the trading service."""
    fund(loop)
    chain, contracts, app = loop.chain, loop.chain.stack.contracts, loop.client.app
    custody = chain.contract("Custody", contracts["Custody"])
    attach_dev_price_feed(chain.w3, custody, chain.exchange, contracts["WETH"], contracts["USDC"],
                          contracts["DevPriceFeed"])  # fmt: skip
    trading: Any = app.state.trading  # type: ignore[attr-defined]
    loop.client.portal.call(trading.refresh_price_sources)
    loop.client.portal.call(trading.refresh_reference_prices)
    return trading


def set_feed(loop: Loop, trading: Any, usd: int) -> None:
    """Move the dev feed to `usd` and let the engine read it."""
    feed = loop.chain.contract("DevPriceFeed", loop.chain.stack.contracts["DevPriceFeed"])
    tx = feed.functions.setAnswer(usd * 10**DEV_FEED_DECIMALS).transact({"from": address_of(DEPLOYER_INDEX)})
    loop.chain.w3.eth.wait_for_transaction_receipt(tx, timeout=30)
    loop.client.portal.call(trading.refresh_reference_prices)


def test_a_stop_order_fires_on_its_markets_price_source_not_on_a_print_and_settles_on_chain(loop: Loop) -> None:
    """The contract settles a stop order without the operator-triggered flag only once the market's price source
    reached its trigger: a trade printed past the trigger must not fire it (its fill would fail StopNotTriggered
    and the stop would be spent), the price source reaching it must."""
    trading = with_price_source(loop)
    trigger, half = 3_100 * 10**6, WEI // 2
    # setting the source moved the chain's clock past Custody's timelock: the orders must outlive that
    place = functools.partial(loop.place, amount=half, expires_in_s=3 * 3600)

    stop = place(BOB, side=0, price=trigger + 10 * 10**6, trigger_price=trigger, flags=2)
    place(ALICE, side=1, price=trigger)
    place(BOB, side=0, price=trigger)  # prints a trade at the trigger
    place(ALICE, side=1, price=trigger + 5 * 10**6)
    assert loop.client.get(f"/v1/orders/{stop['hash']}").json()["status"] == "open"
    assert len(loop.fills()) == 1

    set_feed(loop, trading, 3_100)
    _, second = loop.fills()
    assert (second.price, second.base_amount) == (trigger + 5 * 10**6, half)
    loop.relay()
    assert [fill.status for fill in loop.fills()] == ["settled", "settled"]
    assert loop.client.get(f"/v1/orders/{stop['hash']}").json()["status"] == "filled"
    loop.index()
    loop.ledger_equals_chain((ALICE, BOB))


def test_a_fired_stop_whose_price_source_fell_back_is_cancelled_once_the_contract_skips_its_first_trade(
    loop: Loop,
) -> None:
    """The contract checks a stop's trigger at its first trade, which for a fired stop-limit resting in the book can
    come long after the engine fired it. If the source fell back by then, that trade is skipped, and so would be
    every later one (each failing its counterparty's fill too): the rest of the stop leaves the book."""
    trading = with_price_source(loop)
    trigger, half = 3_100 * 10**6, WEI // 2
    place = functools.partial(loop.place, amount=half, expires_in_s=3 * 3600)
    stop = place(BOB, side=0, amount=WEI, price=trigger + 10 * 10**6, trigger_price=trigger, flags=2)
    set_feed(loop, trading, 3_100)  # fires it: it rests at its limit
    set_feed(loop, trading, 3_000)  # and the source falls back
    place(ALICE, side=1, price=trigger + 5 * 10**6)
    loop.relay()
    [fill] = loop.fills()
    assert fill.status == "failed" and (fill.failure or "").startswith("skipped_on_chain:StopNotTriggered(")
    loop.index()  # the skip is final: the fill's holds come back, and the stop goes
    view = loop.client.get(f"/v1/orders/{stop['hash']}").json()
    assert (view["status"], view["reason"]) == ("cancelled", "stop_not_triggered_on_chain")
    assert place(ALICE, side=1, price=trigger + 5 * 10**6)["status"] == "open"  # nothing left for it to fail on
    assert len(loop.fills()) == 1
