"""Operator transactions on a real anvil: exactly once across restarts, stuck replacement, drops."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.chain.node import AnvilNode
from backend.db import migrate
from backend.db.leased_loop import LeasedLoop, LeaseTakenOver
from backend.db.models import Lease, OperatorTx
from backend.db.session import make_engine
from relayer.transactions import Simulation, SimulationFailed, TxManager, TxPolicy

from ..conftest import free_port

pytestmark = pytest.mark.chain

OPERATOR = Account.from_key(DEV_KEYS[OPERATOR_INDEX]).address
TARGET = Account.from_key(DEV_KEYS[9]).address
# Creation code of a contract whose every call reverts (runtime: PUSH1 0 PUSH1 0 REVERT).
REVERTER_INIT = "0x6460006000fd6000526005601bf3"


def slot_reader_init(slots: int) -> str:
    """Creation code of a contract whose every call reads its storage slots 0..slots-1 (PUSH1 i SLOAD POP each)."""
    runtime = bytes(b for i in range(slots) for b in (0x60, i, 0x54, 0x50)) + b"\x00"
    # CODECOPY the runtime that follows this 12-byte prefix to memory 0, then RETURN it.
    prefix = bytes([0x60, len(runtime), 0x60, 12, 0x60, 0, 0x39, 0x60, len(runtime), 0x60, 0, 0xF3])
    return "0x" + (prefix + runtime).hex()


@pytest.fixture
def node() -> Iterator[AnvilNode]:
    with AnvilNode(port=free_port()) as anvil:
        yield anvil


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def manager(node: AnvilNode, sessions: sessionmaker[Session], clock: Clock | None = None, **policy: Any) -> TxManager:
    return TxManager(
        sessions, JsonRpcClient(node.url), DEV_KEYS[OPERATOR_INDEX], 31337, TxPolicy(**policy), clock or Clock()
    )


def held(node: AnvilNode, sessions: sessionmaker[Session], **policy: Any) -> tuple[TxManager, Clock]:
    """A node that mines only when told, and a manager on a clock the test moves (stuck after 30 s unless
    `policy` says otherwise)."""
    rpc(node, "evm_setAutomine", False)
    clock = Clock()
    return manager(node, sessions, clock, **{"stuck_after_s": 30, **policy}), clock


def create(txm: TxManager, sessions: sessionmaker[Session], reference: str) -> int:
    with sessions() as session:
        tx = txm.create(session, "test", reference, TARGET, "0x", txm.simulate(TARGET, "0x"))
        session.commit()
        return tx.id


def rpc(node: AnvilNode, method: str, *params: object) -> Any:
    return JsonRpcClient(node.url).call(method, list(params))


def use_the_nonce_elsewhere(node: AnvilNode) -> None:
    """Another transaction from the operator key, mined: it takes the nonce the manager's transaction holds. Its
    receipt is waited for: once, under the whole suite's load, the manager looked right after eth_sendTransaction
    and found the nonce still free (anvil's automining is not part of its answer)."""
    tx_hash = rpc(node, "eth_sendTransaction", {"from": OPERATOR, "to": TARGET, "value": "0x1"})
    deadline = time.monotonic() + 30
    while rpc(node, "eth_getTransactionReceipt", tx_hash) is None:
        assert time.monotonic() < deadline, "anvil did not mine the transaction"
        time.sleep(0.01)


def operator_nonce(node: AnvilNode) -> int:
    return int(rpc(node, "eth_getTransactionCount", OPERATOR, "latest"), 16)


def finished_log() -> tuple[list[tuple[str, str]], Any]:
    seen: list[tuple[str, str]] = []

    def on_finished(session: Session, tx: OperatorTx, receipt: dict[str, Any] | None) -> None:
        seen.append((tx.reference, tx.status))

    return seen, on_finished


def status(sessions: sessionmaker[Session], tx_id: int) -> OperatorTx:
    with sessions() as session:
        tx = session.get(OperatorTx, tx_id)
        assert tx is not None
        return tx


def test_a_transaction_stored_but_never_sent_is_sent_once_after_a_restart(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    tx_id = create(manager(node, sessions), sessions, "batch:1")  # the process dies before send()
    assert operator_nonce(node) == 0
    seen, on_finished = finished_log()
    restarted = manager(node, sessions)
    restarted.track(on_finished)  # sends the stored bytes; anvil mines at once
    restarted.track(on_finished)
    restarted.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert operator_nonce(node) == 1
    assert status(sessions, tx_id).status == "confirmed"


def test_a_restart_between_submit_and_receipt_finishes_it_exactly_once(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    rpc(node, "evm_setAutomine", False)
    first = manager(node, sessions)
    tx_id = create(first, sessions, "batch:1")
    first.send(tx_id)  # ... and the relayer is killed before the receipt
    seen, on_finished = finished_log()
    restarted = manager(node, sessions)
    assert restarted.track(on_finished) == 0  # not mined yet; nothing resent twice
    rpc(node, "evm_mine")
    assert restarted.track(on_finished) == 1
    assert restarted.track(on_finished) == 0
    assert seen == [("batch:1", "confirmed")]
    assert operator_nonce(node) == 1


def test_the_next_transaction_takes_the_next_nonce_while_one_is_in_flight(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    rpc(node, "evm_setAutomine", False)
    txm = manager(node, sessions)
    first, second = create(txm, sessions, "batch:1"), create(txm, sessions, "batch:2")
    assert (status(sessions, first).nonce, status(sessions, second).nonce) == (0, 1)


def test_a_stuck_transaction_is_replaced_at_the_same_nonce_and_only_one_attempt_is_mined(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm, clock = held(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert len(status(sessions, tx_id).hashes) == 1
    clock.now += 31
    txm.track(on_finished)
    stored = status(sessions, tx_id)
    assert len(stored.hashes) == 2
    assert stored.max_fee_per_gas > 0
    rpc(node, "evm_mine")
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    mined = [h for h in stored.hashes if rpc(node, "eth_getTransactionReceipt", h) is not None]
    assert mined == [stored.hashes[1]]  # the replacement, and only it
    assert status(sessions, tx_id).mined_hash == stored.hashes[1]
    assert operator_nonce(node) == 1


def test_a_transaction_whose_nonce_was_used_elsewhere_is_dropped(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm = manager(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    use_the_nonce_elsewhere(node)  # someone else used the operator key's nonce 0 before we sent
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == [("batch:1", "dropped")]
    assert status(sessions, tx_id).status == "dropped"


def test_the_outcome_waits_for_the_confirmations(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    txm = manager(node, sessions, confirmations=3)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == [] and status(sessions, tx_id).status == "submitted"
    rpc(node, "anvil_mine", "0x2")
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]


def test_a_transaction_mined_reverted_is_decided_only_once_its_block_is_final(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """Its caller then sends the work again (a batch's trades in another batch): a reorg mining the first one again,
    successfully, would do it twice. A successful one is decided after the relayer's confirmations as before."""
    deployed = rpc(node, "eth_sendTransaction", {"from": OPERATOR, "data": REVERTER_INIT})
    reverter = Web3.to_checksum_address(rpc(node, "eth_getTransactionReceipt", deployed)["contractAddress"])
    txm = manager(node, sessions, confirmations=1, final_confirmations=3)
    with sessions() as session:  # it passed its simulation; the chain changed before it was mined
        reverting = txm.create(session, "test", "batch:reverts", reverter, "0x", Simulation(100_000, [])).id
        session.commit()
    succeeding = create(txm, sessions, "batch:succeeds")
    txm.send(reverting)
    txm.send(succeeding)
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == [("batch:succeeds", "confirmed")] and status(sessions, reverting).status == "submitted"
    rpc(node, "anvil_mine", "0x2")
    txm.track(on_finished)
    assert seen[1:] == [("batch:reverts", "failed")]


def test_a_reverting_call_fails_simulation_and_stores_nothing(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    deployed = rpc(node, "eth_sendTransaction", {"from": OPERATOR, "data": REVERTER_INIT})
    reverter = rpc(node, "eth_getTransactionReceipt", deployed)["contractAddress"]
    txm = manager(node, sessions)
    with pytest.raises(SimulationFailed):
        txm.simulate(reverter, "0x12345678")
    with sessions() as session:
        assert session.scalars(select(OperatorTx)).all() == []


def test_a_call_that_needs_more_gas_than_a_block_holds_fails_simulation(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """Such a call can never be mined: a node error about gas would have stalled settlement for ever, each round
    retrying the same batch, and a limit past the block's, stored and signed, would hold every later nonce."""
    spinner = "0x" + "5b" * 20  # its code loops for ever (JUMPDEST, PUSH1 0, JUMP): no gas is enough
    rpc(node, "anvil_setCode", spinner, "0x5b600056")
    txm = manager(node, sessions)
    with pytest.raises(SimulationFailed):
        txm.simulate(spinner, "0x")
    block_limit = int(rpc(node, "eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
    rpc(node, "evm_setBlockGasLimit", hex(30_000))  # a plain transfer's 21,000 fits; with the margin, 35,200 does not
    rpc(node, "evm_mine")
    try:
        with pytest.raises(SimulationFailed, match="more than a block's 30000"):
            txm.simulate(TARGET, "0x")
    finally:
        rpc(node, "evm_setBlockGasLimit", hex(block_limit))
        rpc(node, "evm_mine")
    assert txm.simulate(TARGET, "0x").gas_limit == 35_200


class LateReceipts(JsonRpcClient):
    """A node whose receipt index lags: the first lookup of each hash answers nothing, as behind a load balancer."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.asked: set[str] = set()

    def call(self, method: str, params: list[Any]) -> Any:
        if method == "eth_getTransactionReceipt" and params[0] not in self.asked:
            self.asked.add(params[0])
            return None
        return super().call(method, params)


def test_a_receipt_the_node_reports_late_does_not_make_a_mined_transaction_look_dropped(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm = manager(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)  # mined at once: the nonce is used, by this very transaction
    txm.rpc = LateReceipts(node.url)
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert status(sessions, tx_id).mined_hash == status(sessions, tx_id).tx_hash


def test_a_drop_waits_for_the_confirmations_like_a_receipt(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    txm = manager(node, sessions, confirmations=3)
    tx_id = create(txm, sessions, "batch:1")
    use_the_nonce_elsewhere(node)
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == []  # the other transaction could still be reorganised away and ours mined
    rpc(node, "anvil_mine", "0x2")
    txm.track(on_finished)
    assert seen == [("batch:1", "dropped")]
    assert status(sessions, tx_id).status == "dropped"


def deploy(node: AnvilNode, init: str) -> str:
    deployed = rpc(node, "eth_sendTransaction", {"from": OPERATOR, "data": init})
    return str(Web3.to_checksum_address(rpc(node, "eth_getTransactionReceipt", deployed)["contractAddress"]))


def test_a_call_reading_many_cold_slots_is_sent_with_its_access_list_and_costs_less(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    reader = deploy(node, slot_reader_init(40))
    txm = manager(node, sessions)
    simulation = txm.simulate(reader, "0x")
    [entry] = simulation.access_list
    assert int(entry["address"], 16) == int(reader, 16) and len(entry["storageKeys"]) == 40
    unlisted = int(rpc(node, "eth_estimateGas", {"from": OPERATOR, "to": reader, "data": "0x"}), 16)
    with sessions() as session:
        tx = txm.create(session, "test", "batch:1", reader, "0x", simulation)
        session.commit()
        tx_id = tx.id
    txm.send(tx_id)
    receipt = rpc(node, "eth_getTransactionReceipt", status(sessions, tx_id).tx_hash)
    # 40 slots read warm (100) instead of cold (2,100) for 1,900 each up front, less 2,400 for the listed contract
    assert int(receipt["gasUsed"], 16) == unlisted - 40 * 100 + 2_400
    sent = rpc(node, "eth_getTransactionByHash", status(sessions, tx_id).tx_hash)
    assert len(sent["accessList"][0]["storageKeys"]) == 40


def test_a_call_reading_few_cold_slots_gets_no_access_list(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    # 20 slots save 2,000 on their reads but the listed contract costs 2,400: the list would cost more
    reader = deploy(node, slot_reader_init(20))
    assert manager(node, sessions).simulate(reader, "0x").access_list == []
    assert manager(node, sessions).simulate(TARGET, "0x").access_list == []


def test_a_replacement_keeps_the_access_list(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    reader = deploy(node, slot_reader_init(40))
    txm, clock = held(node, sessions)
    with sessions() as session:
        tx = txm.create(session, "test", "batch:1", reader, "0x", txm.simulate(reader, "0x"))
        session.commit()
        tx_id = tx.id
    txm.send(tx_id)
    _, on_finished = finished_log()
    clock.now += 31
    txm.track(on_finished)
    stored = status(sessions, tx_id)
    assert len(stored.hashes) == 2
    # the node forgot the first attempt (replaced in its pool); the replacement carries the stored list
    [entry] = rpc(node, "eth_getTransactionByHash", stored.hashes[1])["accessList"]
    assert entry["storageKeys"] == stored.access_list[0]["storageKeys"] and len(entry["storageKeys"]) == 40


class FlakySends(JsonRpcClient):
    """A node that takes the transactions but whose answers to some eth_sendRawTransaction calls are lost (a
    timeout: the request reached it) or refused ("transaction underpriced": it did not)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.lose_answers = 0  # the next n sends reach the node, and their answers are lost
        self.refuse: set[str] = set()  # raw transactions the node refuses
        self.refuse_all: str | None = None  # while set, the node refuses every send with this message
        self.sent: list[str] = []

    def call(self, method: str, params: list[Any]) -> Any:
        if method == "eth_sendRawTransaction":
            self.sent.append(params[0])
            if self.refuse_all is not None:
                raise RpcError(f"eth_sendRawTransaction: {self.refuse_all}")
            if params[0] in self.refuse:
                raise RpcError("eth_sendRawTransaction: transaction underpriced")
            result = super().call(method, params)
            if self.lose_answers:
                self.lose_answers -= 1
                raise RpcError("eth_sendRawTransaction: ReadTimeout: timed out")
            return result
        return super().call(method, params)


def test_a_replacement_whose_answer_is_lost_is_stored_and_confirmed_when_mined(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm, clock = held(node, sessions)
    flaky = txm.rpc = FlakySends(node.url)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    seen, on_finished = finished_log()
    clock.now += 31
    flaky.lose_answers = 1  # the node takes the replacement; its answer times out
    txm.track(on_finished)
    stored = status(sessions, tx_id)
    assert len(stored.hashes) == 2 and stored.raw_tx == flaky.sent[-1]  # stored before it was sent
    rpc(node, "evm_mine")  # the replacement is what the chain mines
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert status(sessions, tx_id).mined_hash == stored.hashes[1]


def test_a_replacement_stored_before_a_crash_is_sent_by_the_next_round(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm, clock = held(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    first = status(sessions, tx_id)
    crash = RuntimeError("the process dies while sending")

    def dies(tx: OperatorTx) -> None:
        raise crash

    txm._broadcast = dies  # type: ignore[method-assign]
    clock.now += 31
    with pytest.raises(RuntimeError):
        txm.track(finished_log()[1])
    stored = status(sessions, tx_id)
    assert len(stored.hashes) == 2 and stored.raw_tx != first.raw_tx
    restarted = manager(node, sessions, clock, stuck_after_s=30)
    seen, on_finished = finished_log()
    restarted.track(on_finished)  # the stored replacement, unknown to the node, is sent (not a new one)
    assert len(status(sessions, tx_id).hashes) == 2
    rpc(node, "evm_mine")
    restarted.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert status(sessions, tx_id).mined_hash == stored.hashes[1]


def test_fee_bumps_stop_at_the_cap_and_the_transaction_waits_there(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    rpc(node, "evm_setAutomine", False)
    clock = Clock()
    probe = manager(node, sessions, clock)
    cap = probe._fees()[0] * 2  # room for about three bumps of 25%
    txm = manager(node, sessions, clock, stuck_after_s=30, max_fee_per_gas_cap=cap)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    _, on_finished = finished_log()
    for _ in range(8):
        clock.now += 31
        txm.track(on_finished)
        stored = status(sessions, tx_id)
        assert stored.max_fee_per_gas <= cap and stored.max_priority_fee_per_gas <= cap
    assert 1 < len(stored.hashes) < 8  # bumped, then no more once a bump would pass the cap
    sent = rpc(node, "eth_getTransactionByHash", stored.tx_hash)
    assert int(sent["maxFeePerGas"], 16) == stored.max_fee_per_gas <= cap
    rpc(node, "evm_mine")
    seen, on_finished = finished_log()
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]


def test_a_transaction_no_node_holds_is_sent_again_at_the_cap_once_the_node_takes_it(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """Every send is refused (a node that will not take it at these fees), the stuck transaction is repriced up to
    the cap, and there, with no room for another bump, its bytes are still sent each round: once the node takes
    them, they mine (before, it waited 'at the cap' for ever, in no node's pool, and every later nonce behind it)."""
    rpc(node, "evm_setAutomine", False)
    clock = Clock()
    cap = manager(node, sessions, clock)._fees()[0] * 2  # room for about three bumps of 25%
    txm = manager(node, sessions, clock, stuck_after_s=30, max_fee_per_gas_cap=cap)
    flaky = txm.rpc = FlakySends(node.url)
    flaky.refuse_all = "transaction underpriced"
    tx_id = create(txm, sessions, "batch:1")
    seen, on_finished = finished_log()
    for _ in range(8):
        txm.track(on_finished)
        clock.now += 31
    at_cap = status(sessions, tx_id)
    assert 1 < len(at_cap.hashes) < 8 and at_cap.status == "signed"
    sends = len(flaky.sent)
    txm.track(on_finished)
    assert len(flaky.sent) == sends + 1 and flaky.sent[-1] == at_cap.raw_tx  # tried again, as it is

    flaky.refuse_all = None  # the node takes it now
    txm.track(on_finished)
    assert rpc(node, "eth_getTransactionByHash", at_cap.tx_hash) is not None
    rpc(node, "evm_mine")
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert status(sessions, tx_id).mined_hash == at_cap.tx_hash


def test_a_key_that_ran_dry_is_not_repriced_while_it_cannot_pay_and_goes_out_as_signed_once_refilled(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """Every send of a dry key is refused ("insufficient funds"), which no higher bid cures: a bid raised 25% each
    time the transaction looked stuck would, after a dry hour, have the refilled key pay tips of up to the 500 gwei
    cap on every transaction queued meanwhile. It waits at the fees it was signed with."""
    txm, clock = held(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    signed = status(sessions, tx_id)
    rpc(node, "anvil_setBalance", OPERATOR, "0x0")  # the key ran dry
    with pytest.raises(RpcError, match=r"(?i)insufficient funds"):
        txm.send(tx_id)
    seen, on_finished = finished_log()
    for _ in range(8):  # four minutes of refused sends, the transaction "stuck" each round
        clock.now += 31
        txm.track(on_finished)
    waiting = status(sessions, tx_id)
    assert waiting.hashes == signed.hashes
    assert (waiting.max_fee_per_gas, waiting.max_priority_fee_per_gas) == (
        signed.max_fee_per_gas,
        signed.max_priority_fee_per_gas,
    )

    rpc(node, "anvil_setBalance", OPERATOR, hex(10**20))  # refilled
    txm.track(on_finished)
    assert rpc(node, "eth_getTransactionByHash", signed.tx_hash) is not None  # out as signed
    rpc(node, "evm_mine")
    txm.track(on_finished)
    assert seen == [("batch:1", "confirmed")]
    assert status(sessions, tx_id).mined_hash == signed.tx_hash


def test_after_an_operator_key_rotation_a_stuck_transaction_of_the_old_key_is_resent_as_signed(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """The relayer restarts with a new key while the old key's transaction waits: the new key cannot replace it
    (its attempt would be its own transaction at its own nonce, and the old bytes lost), so the stored bytes are
    what goes out again, also once the node forgot them, until they mine."""
    txm, clock = held(node, sessions)
    tx_id = create(txm, sessions, "batch:1")
    txm.send(tx_id)
    signed = status(sessions, tx_id)
    rotated = TxManager(sessions, JsonRpcClient(node.url), DEV_KEYS[8], 31337, TxPolicy(stuck_after_s=30), clock)
    seen, on_finished = finished_log()
    for _ in range(2):
        clock.now += 31
        rpc(node, "anvil_dropTransaction", signed.tx_hash)  # the node forgets it
        rotated.track(on_finished)
        stored = status(sessions, tx_id)
        assert (stored.raw_tx, stored.hashes) == (signed.raw_tx, signed.hashes)
        assert Account.recover_transaction(stored.raw_tx) == OPERATOR
        assert rpc(node, "eth_getTransactionByHash", signed.tx_hash) is not None  # sent again, as signed
    rpc(node, "evm_mine")
    rotated.track(on_finished)
    assert seen == [("batch:1", "confirmed")]


def test_a_resend_the_node_refuses_holds_up_only_its_own_transaction_and_is_repriced_later(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    txm, clock = held(node, sessions)
    flaky = txm.rpc = FlakySends(node.url)
    first, second = create(txm, sessions, "batch:1"), create(txm, sessions, "batch:2")
    # The first was stored but its send never happened; the node now refuses its bytes (fees too low).
    flaky.refuse.add(status(sessions, first).raw_tx)
    txm.send(second)
    seen, on_finished = finished_log()
    txm.track(on_finished)  # refused: logged, the round goes on to the second
    assert status(sessions, second).status == "submitted"
    clock.now += 31
    txm.track(on_finished)  # the first is stuck: a repriced attempt, which the node takes
    assert len(status(sessions, first).hashes) == 2
    rpc(node, "evm_mine")
    txm.track(on_finished)
    assert sorted(seen) == [("batch:1", "confirmed"), ("batch:2", "confirmed")]
    assert status(sessions, first).mined_hash == status(sessions, first).hashes[1]


def test_a_relayer_whose_lease_went_to_another_mid_round_assigns_no_nonce(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """A round relaying a backlog (six RPCs a withdrawal) can outlast the lease; the nonce is assigned under the
    lease, in the transaction that stores it, so the copy that lost it signs nothing the new holder signs too."""
    txm = manager(node, sessions)
    loop = LeasedLoop("relayer", "relayer:31337:test", sessions, lambda: True, ttl_s=30, interval_s=1, retry_on=())
    txm.fence = loop.fence
    assert loop.tick() is True  # this copy holds the lease
    create(txm, sessions, "withdraw:1")
    with sessions() as session:  # the round ran long: the lease lapsed and another copy took it
        session.execute(update(Lease).where(Lease.name == "relayer:31337:test").values(owner="another-relayer"))
        session.commit()
    with pytest.raises(LeaseTakenOver):
        create(txm, sessions, "withdraw:2")
    with sessions() as session:
        assert [tx.reference for tx in session.scalars(select(OperatorTx))] == ["withdraw:1"]


def test_a_round_that_lost_its_lease_touches_no_transaction_after_that(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """A slow node can make a round outlast the relayer's lease; the lease is kept before each transaction, and
    once another relayer holds it this one sends nothing more (only one may send with the key)."""
    txm = manager(node, sessions)
    first, second = create(txm, sessions, "batch:1"), create(txm, sessions, "batch:2")  # stored, never sent
    calls: list[int] = []

    def keep() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise LeaseTakenOver("another relayer holds the lease")

    with pytest.raises(LeaseTakenOver):
        txm.track(finished_log()[1], keep=keep)
    assert status(sessions, first).status == "submitted"  # sent: this relayer still held the lease
    assert status(sessions, second).status == "signed"  # not sent: the other relayer's to decide


def test_a_relayer_past_its_lease_stores_no_repriced_attempt(node: AnvilNode, sessions: sessionmaker[Session]) -> None:
    """Reviving or tracking a stuck transaction reprices it; a relayer whose lease another took meanwhile stores no
    attempt: its list of hashes could overwrite the holder's, and a forgotten attempt that mines would make the
    batch look lost and its fills go out twice."""
    txm, clock = held(node, sessions)
    waiting = create(txm, sessions, "batch:1")
    txm.send(waiting)
    clock.now += 31  # stuck

    def taken(session: Session) -> None:
        raise LeaseTakenOver("another relayer holds the lease")

    txm.fence = taken
    with pytest.raises(LeaseTakenOver):
        txm.revive(waiting)
    with pytest.raises(LeaseTakenOver):
        txm.track(finished_log()[1])
    assert len(status(sessions, waiting).hashes) == 1


def test_revive_leaves_a_mined_transaction_alone_and_replaces_one_a_pool_holds_unmined(
    node: AnvilNode, sessions: sessionmaker[Session]
) -> None:
    """`revive` is for a transaction a reorg took out: one mined again (its block not final yet) is the final check's
    to judge, never replaced (a replacement at a used nonce only piles up attempts); one a pool holds unmined is."""
    txm, clock = held(node, sessions)
    waiting = create(txm, sessions, "batch:1")
    txm.send(waiting)
    clock.now += 31  # stuck
    txm.revive(waiting)
    assert len(status(sessions, waiting).hashes) == 2  # held unmined: replaced at higher fees
    rpc(node, "evm_mine")
    clock.now += 31
    txm.revive(waiting)
    assert len(status(sessions, waiting).hashes) == 2  # mined: left alone
