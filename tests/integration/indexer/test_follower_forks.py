"""The indexer against a scripted chain (forks, flips, lagging and repeating nodes) on a real database.

No node runs here: `ScriptedReader` answers from `Fork` objects, so a test can switch forks at any
point of a poll (between the reorg check and eth_getLogs, say) or serve a node that is behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.jsonrpc import Header, JsonRpcClient, RpcError, WrongChain
from backend.db.leased_loop import LeaseTakenOver
from backend.db.models import Alert, ChainEvent, FrozenFunds
from backend.db.models.base import Base
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL
from backend.trading.hosting.chain_sync import wallet_balances
from indexer import follower as follower_module
from indexer.decode import EventDecoder
from indexer.follower import EXACT_SCAN_DEPTH, Follower, FollowerConfig

EXCHANGE = "0x" + "ee" * 20
TOKEN = "0x" + "70" * 20
ALICE = to_checksum_address("0x" + "a1" * 20)
BOB = to_checksum_address("0x" + "b0" * 20)
DEPOSITED = {
    "type": "event",
    "name": "Deposited",
    "anonymous": False,
    "inputs": [
        {"name": "wallet", "type": "address", "indexed": True},
        {"name": "token", "type": "address", "indexed": True},
        {"name": "amount", "type": "uint256", "indexed": False},
        {"name": "balance", "type": "uint256", "indexed": False},
    ],
}
DECODER = EventDecoder([DEPOSITED])


@pytest.fixture(autouse=True, params=[EXACT_SCAN_DEPTH, 0], ids=["newest-by-hash", "ranges-only"])
def scan_depth(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every scenario twice: with the newest blocks read one at a time by hash (as deployed; these short chains
    are then all read so), and with block ranges only (as a long backlog is read)."""
    depth: int = request.param
    monkeypatch.setattr(follower_module, "EXACT_SCAN_DEPTH", depth)
    return depth


class Fork:
    """A chain of `height` blocks whose hashes below `since` are `parent`'s (the common prefix)."""

    def __init__(self, name: str, height: int, parent: Fork | None = None, since: int = 0) -> None:
        self.name, self.height, self.parent, self.since = name, height, parent, since
        self.logs: dict[int, list[dict[str, Any]]] = {}

    def hash(self, number: int) -> str:
        if self.parent is not None and number < self.since:
            return self.parent.hash(number)
        return "0x" + f"{self.name}{number:04d}".rjust(64, "0")

    def deposit(self, number: int, tx: int, wallet: str, amount: int) -> dict[str, Any]:
        entry = {
            "address": EXCHANGE,
            "blockNumber": hex(number),
            "blockHash": self.hash(number),
            "transactionHash": "0x" + f"{tx:064x}",
            "logIndex": "0x0",
            "removed": False,
            "topics": [DECODER.topic_of("Deposited"), _topic(wallet), _topic(TOKEN)],
            "data": "0x" + encode(["uint256", "uint256"], [amount, amount]).hex(),
        }
        self.logs.setdefault(number, []).append(entry)
        return entry


def _topic(address: str) -> str:
    return "0x" + encode(["address"], [address]).hex()


class ScriptedReader(JsonRpcClient):
    """Serves `fork`; `before_get_logs` runs once, just before the next eth_getLogs answer. `logs_behind` blocks:
    eth_getLogs is answered by a node that far behind the one answering headers (two backends of a load balancer):
    a block range misses the newest blocks' logs, a block hash it does not have is refused."""

    def __init__(self, fork: Fork) -> None:  # no HTTP client: nothing here talks to a node
        self.fork = fork
        self.before_get_logs: Callable[[], None] | None = None
        self.logs_behind = 0
        self.chain = 31337  # the chain it serves: another one is a node of another network

    def close(self) -> None:
        pass

    def chain_id(self) -> int:
        return self.chain

    def block_number(self) -> int:
        return self.fork.height

    def header(self, number: int) -> Header | None:
        if number > self.fork.height:
            return None
        return Header(number, self.fork.hash(number), self.fork.hash(number - 1))

    def get_logs(self, address: str, from_block: int, to_block: int) -> list[dict[str, Any]]:
        self._before_get_logs()
        to_block = min(to_block, self.fork.height - self.logs_behind)
        return [dict(e) for n in range(from_block, to_block + 1) for e in self.fork.logs.get(n, [])]

    def get_logs_at(self, address: str, block_hash: str) -> list[dict[str, Any]]:
        self._before_get_logs()
        number = next((n for n in range(self.fork.height + 1) if self.fork.hash(n) == block_hash), None)
        if number is None or number > self.fork.height - self.logs_behind:
            raise RpcError("eth_getLogs: unknown block")
        return [dict(e) for e in self.fork.logs.get(number, [])]

    def _before_get_logs(self) -> None:
        if self.before_get_logs is not None:
            hook, self.before_get_logs = self.before_get_logs, None
            hook()


def follower(
    reader: ScriptedReader,
    sessions: sessionmaker[Session],
    confirmations: int,
    before_final: Any = None,
    initial_range: int = 2_000,
) -> Follower:
    config = FollowerConfig(chain_id=31337, exchange=EXCHANGE, start_block=1, confirmations=confirmations,
                            initial_range=initial_range)  # fmt: skip
    return Follower(reader, DECODER, sessions, config, before_final=before_final)


def credited(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {account: amount for (account, _), amount in ledger.balances(session).items() if account != EXTERNAL}


def available(sessions: sessionmaker[Session]) -> int:
    """What trading may use of Alice's token: her final balance less her frozen funds."""
    with sessions() as session:
        return wallet_balances(session, [ALICE])[ALICE][TOKEN]


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(ChainEvent.status).order_by(ChainEvent.id)))


@pytest.mark.parametrize("confirmations", [3, 1], ids=["pending-when-orphaned", "final-when-orphaned"])
def test_a_deposit_orphaned_and_included_again_in_the_same_block_is_credited_once(
    sessions: sessionmaker[Session], confirmations: int
) -> None:
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    b = Fork("b", 11, parent=a, since=10)  # block 10 replaced; Alice's deposit is not in fork B
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations)
    indexer.poll_once()
    for _ in range(2):  # A -> B -> A, twice: each generation of the credit is reversed and posted again
        reader.fork = b
        b.height = max(b.height, a.height) + 1
        assert indexer.poll_once().orphaned == 1
        assert credited(sessions) == {}
        reader.fork = a
        a.height = b.height + 1  # fork A wins back; block 10 is A's again, with the same deposit
        for _ in range(confirmations):
            indexer.poll_once()
            a.height += 1
        assert statuses(sessions) == ["final"]
        assert credited(sessions) == {ALICE: 100}
    with sessions() as session:
        assert ledger.balances_from_entries(session) == ledger.balances(session)


def freeze(events: Sequence[tuple[int, str, dict[str, Any]]]) -> list[Base]:
    """Compliance's hook, as for a blocked depositor: every final deposit is frozen whole."""
    return [
        FrozenFunds(
            chain_event_id=i, wallet=args["wallet"], token=args["token"], amount=int(args["amount"]), reason="test"
        )
        for i, _, args in events
    ]


def test_a_deposit_final_again_after_a_flip_keeps_its_one_freeze(sessions: sessionmaker[Session]) -> None:
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    b = Fork("b", 11, parent=a, since=10)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=1, before_final=freeze)
    indexer.poll_once()
    reader.fork = b
    indexer.poll_once()
    reader.fork, a.height = a, 12
    indexer.poll_once()
    assert statuses(sessions) == ["final"]
    assert credited(sessions) == {ALICE: 100}
    with sessions() as session:
        assert len(session.scalars(select(FrozenFunds)).all()) == 1


def test_a_frozen_deposit_a_deep_reorg_moves_to_another_block_is_held_once_and_not_while_gone(
    sessions: sessionmaker[Session],
) -> None:
    """The freeze holds what its final deposit credited: once a reorg deeper than the confirmations orphans the
    deposit (its credit reversed), its freeze holds nothing; mined again in another block it is a new event with
    its own freeze. Before, the orphaned one's freeze still counted: the wallet's other funds were held, then
    the deposit twice."""
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    a.deposit(9, tx=2, wallet=ALICE, amount=30)  # another of hers, in a block both forks share
    b = Fork("b", 12, parent=a, since=10)  # block 10 replaced: the deposit of tx 1 moves to block 12
    b.deposit(12, tx=1, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=1, before_final=freeze)
    indexer.poll_once()
    assert available(sessions) == 0  # 130 credited, 130 frozen
    reader.fork, b.height = b, 11  # the deep reorg: B does not hold the deposit yet
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 30} and available(sessions) == 0
    b.height = 12
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 130} and available(sessions) == 0


def test_a_node_behind_the_last_scanned_block_is_waited_for_not_taken_for_a_reorg(
    sessions: sessionmaker[Session],
) -> None:
    a = Fork("a", 10)
    a.deposit(9, tx=1, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=2)
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 100}
    a.height = 8  # the same chain, served by a backend two blocks behind
    result = indexer.poll_once()
    assert (result.orphaned, result.reorgs, result.last_block) == (0, 0, 10)
    for height in (11, 12, 13):
        a.height = height
        indexer.poll_once()
    assert statuses(sessions) == ["final"]
    assert credited(sessions) == {ALICE: 100}
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []


def test_a_header_backend_behind_the_nodes_own_head_is_waited_for_not_taken_for_a_deep_reorg(
    sessions: sessionmaker[Session],
) -> None:
    """Behind a load balancer, eth_blockNumber and eth_getBlockByNumber can reach different backends. The head said
    12 while the header of the last scanned block (10) was missing: taken for a deep reorg, the final deposit was
    reversed (the ledger said 0 while the chain held 100) until that backend caught up."""

    class LaggingHeaders(ScriptedReader):
        lag = 0

        def header(self, number: int) -> Header | None:
            return None if number > self.fork.height - self.lag else super().header(number)

    a = Fork("a", 10)
    a.deposit(8, tx=1, wallet=ALICE, amount=100)
    reader = LaggingHeaders(a)
    indexer = follower(reader, sessions, confirmations=2)
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 100}
    a.height, reader.lag = 12, 5  # the head from a backend at 12, headers from one at 7
    result = indexer.poll_once()
    assert (result.orphaned, result.reorgs) == (0, 0)
    assert credited(sessions) == {ALICE: 100}
    reader.lag = 0
    indexer.poll_once()
    assert statuses(sessions) == ["final"] and credited(sessions) == {ALICE: 100}
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []


def test_a_follower_of_a_redeployed_exchange_never_finalizes_the_old_ones_pending_events(
    sessions: sessionmaker[Session],
) -> None:
    """On a database kept across a redeploy, the new Exchange's follower took the old one's pending events as its
    own: a deposit a reorg had taken out (never checked again: it is no event of the new contract) was credited."""
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    old = Follower(reader, DECODER, sessions, FollowerConfig(31337, EXCHANGE, 1, confirmations=3))
    old.poll_once()
    assert statuses(sessions) == ["pending"]
    reader.fork = Fork("b", 30, parent=a, since=10)  # block 10 reorged away, then a new Exchange at block 20
    new = Follower(reader, DECODER, sessions, FollowerConfig(31337, "0x" + "dd" * 20, 20, confirmations=3))
    assert new.poll_once().finalized == 0
    assert credited(sessions) == {}


def test_a_chain_that_got_shorter_is_taken_for_a_reorg_not_for_a_node_behind(
    sessions: sessionmaker[Session],
) -> None:
    """A dev chain reset (or a node restarted from older state) serves fewer blocks, and other ones: its head
    block is not the one stored at that height, so no wait brings the old chain back. Before, the indexer
    waited for block 10 for ever: the dead chain's credits stayed, the new chain's deposits never came."""
    a = Fork("a", 10)
    a.deposit(4, tx=1, wallet=ALICE, amount=30)  # a block stored below the new head (a range end, or logs)
    a.deposit(9, tx=2, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=1)
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 130}
    reset = Fork("reset", 6)  # no block in common with A
    reset.deposit(5, tx=3, wallet=BOB, amount=7)
    reader.fork = reset
    result = indexer.poll_once()
    assert (result.orphaned, result.reorgs) == (2, 1)
    assert credited(sessions) == {BOB: 7}
    with sessions() as session:
        assert [alert.kind for alert in session.scalars(select(Alert))] == ["deep_reorg", "deep_reorg"]


def test_a_node_of_another_chain_is_refused_and_takes_no_credit_back(sessions: sessionmaker[Session]) -> None:
    """HDEX_RPC_URL pointed (or failed over) at another network: none of its blocks is ours, so the reorg check
    would take every credit back, and the cursor would jump to its head. Nothing it serves is read."""
    a = Fork("a", 10)
    a.deposit(9, tx=1, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=1)
    indexer.poll_once()
    elsewhere = Fork("elsewhere", 500)
    elsewhere.deposit(400, tx=2, wallet=BOB, amount=7)
    reader.fork, reader.chain = elsewhere, 10
    with pytest.raises(WrongChain, match="serves chain 10, not chain 31337"):
        indexer.poll_once()
    assert credited(sessions) == {ALICE: 100}
    reader.fork, reader.chain = a, 31337  # the URL fixed: on from where it was
    a.height = 11
    result = indexer.poll_once()
    assert (result.orphaned, result.last_block, credited(sessions)) == (0, 11, {ALICE: 100})


def test_a_fork_switch_between_the_reorg_check_and_get_logs_credits_the_canonical_deposit(
    sessions: sessionmaker[Session],
) -> None:
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=2)
    indexer.poll_once()
    b = Fork("b", 11, parent=a, since=10)  # block 10 replaced: Alice's deposit gone, Bob's in it
    b.deposit(10, tx=2, wallet=BOB, amount=500)
    a.height = 11  # the poll reads head and checks block 10 on fork A, then the node switches to B

    def switch() -> None:
        reader.fork = b

    reader.before_get_logs = switch
    indexer.poll_once()
    assert credited(sessions) == {}  # not even for a moment: head 11 was fork A's word
    for _ in range(3):
        b.height += 1
        indexer.poll_once()
    assert credited(sessions) == {BOB: 500}
    with sessions() as session:
        rows = session.execute(select(ChainEvent.block_hash, ChainEvent.status)).all()
        assert sorted(rows) == sorted([(a.hash(10), "orphaned"), (b.hash(10), "final")])
        assert session.scalars(select(Alert)).all() == []


def test_a_log_twice_in_one_get_logs_answer_is_stored_and_credited_once(sessions: sessionmaker[Session]) -> None:
    c = Fork("c", 5)
    entry = c.deposit(3, tx=3, wallet=ALICE, amount=7)
    c.logs[3].append(dict(entry))
    indexer = follower(ScriptedReader(c), sessions, confirmations=1)
    result = indexer.poll_once()
    assert (result.last_block, result.new_events) == (5, 1)
    assert statuses(sessions) == ["final"]
    assert credited(sessions) == {ALICE: 7}


def test_a_poll_that_lost_its_lease_stores_no_range_after_that(sessions: sessionmaker[Session]) -> None:
    """Catching up a backlog can outlast the indexer's lease; the lease is kept before each range is stored, and
    once another indexer holds it this one writes nothing more (its cursor and events are the other's now)."""
    chain = Fork("a", 20)
    chain.deposit(3, tx=1, wallet=ALICE, amount=100)
    chain.deposit(13, tx=2, wallet=BOB, amount=500)
    indexer = follower(ScriptedReader(chain), sessions, confirmations=1, initial_range=10)
    calls: list[int] = []

    def keep() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise LeaseTakenOver("another indexer holds the lease")

    with pytest.raises(LeaseTakenOver):
        indexer.poll_once(keep=keep)
    assert statuses(sessions) == ["pending"]  # the first range stored (block 3's deposit); the rest and the
    # promotion left to the other
    assert credited(sessions) == {}


def test_a_poll_that_lost_its_lease_undoes_no_reorg(sessions: sessionmaker[Session]) -> None:
    """A reorg's undo is a write like a range's: it orphans events, takes final credits back and moves the cursor.
    The node's answers before it can outlast the lease (one header per stored block walking back to the common
    ancestor); once another indexer holds it, this one leaves the undo to that one. Before, a poll past its lease
    undid it unasked, from its own node's view, over the events the holder was promoting meanwhile."""
    a = Fork("a", 10)
    a.deposit(10, tx=1, wallet=ALICE, amount=100)
    b = Fork("b", 11, parent=a, since=10)  # block 10 replaced; Alice's deposit is not in fork B
    reader = ScriptedReader(a)
    indexer = follower(reader, sessions, confirmations=1)
    indexer.poll_once()
    assert credited(sessions) == {ALICE: 100}
    reader.fork = b

    def keep() -> None:
        raise LeaseTakenOver("another indexer holds the lease")

    with pytest.raises(LeaseTakenOver):
        indexer.poll_once(keep=keep)
    assert statuses(sessions) == ["final"]
    assert credited(sessions) == {ALICE: 100}
    with sessions() as session:
        assert session.scalars(select(Alert)).all() == []
    result = indexer.poll_once()  # the holder's poll undoes it
    assert (result.orphaned, credited(sessions)) == (1, {})


def test_a_poll_whose_lease_lapsed_while_screening_promotes_nothing(sessions: sessionmaker[Session]) -> None:
    """Deposits about to become final are screened first (a provider's answer per wallet), which can outlast the
    lease; the poll promotes them only if it still holds it, else the holder does, once."""
    chain = Fork("a", 3)
    chain.deposit(2, tx=1, wallet=ALICE, amount=100)
    screened: list[int] = []

    def slow_screening(events: Sequence[tuple[int, str, dict[str, Any]]]) -> list[Base]:
        screened.append(len(events))
        return []

    def keep() -> None:
        if screened:
            raise LeaseTakenOver("another indexer holds the lease")

    indexer = follower(ScriptedReader(chain), sessions, confirmations=1, before_final=slow_screening)
    with pytest.raises(LeaseTakenOver):
        indexer.poll_once(keep=keep)
    assert (screened, statuses(sessions), credited(sessions)) == ([1], ["pending"], {})
    indexer.poll_once()
    assert (statuses(sessions), credited(sessions)) == (["final"], {ALICE: 100})
