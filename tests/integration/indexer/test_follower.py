"""The indexer on a real anvil and a real database: confirmations, reorgs, restarts and RPC faults."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.artifacts import load_artifact
from backend.chain.jsonrpc import JsonRpcClient, RangeTooLarge, RpcError
from backend.db.models import Alert, ChainCursor, ChainEvent, LedgerEntry
from backend.ledger import service as ledger
from indexer.decode import EventDecoder
from indexer.follower import Follower, FollowerConfig

from ..devchain import DevChain, address_of

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6


class FaultyReader(JsonRpcClient):
    """A real reader with faults injected at the RPC edge."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.outage = False
        self.max_log_range: int | None = None
        self.fail_get_logs_after: int | None = None
        self.get_logs_calls = 0
        self.ranges: list[int] = []

    def call(self, method: str, params: list[Any]) -> Any:
        if self.outage:
            raise RpcError(f"{method}: connection refused (injected)")
        return super().call(method, params)

    def get_logs(self, address: str, from_block: int, to_block: int) -> list[dict[str, Any]]:
        self.get_logs_calls += 1
        if self.fail_get_logs_after is not None and self.get_logs_calls > self.fail_get_logs_after:
            raise RpcError("eth_getLogs: process killed mid-backlog (injected)")
        size = to_block - from_block + 1
        if self.max_log_range is not None and size > self.max_log_range:
            raise RangeTooLarge(f"eth_getLogs: query returned more than 10000 results ({size} blocks)")
        self.ranges.append(size)
        return super().get_logs(address, from_block, to_block)


def follower(
    devchain: DevChain, sessions: sessionmaker[Session], confirmations: int, **config: int
) -> tuple[Follower, FaultyReader]:
    reader = FaultyReader(devchain.url)
    settings = FollowerConfig(
        chain_id=31337,
        exchange=devchain.exchange.address,
        start_block=devchain.stack.block_number,
        confirmations=confirmations,
        **config,
    )
    return Follower(reader, EventDecoder(load_artifact("Exchange").abi), sessions, settings), reader


def credited(sessions: sessionmaker[Session], key_index: int, devchain: DevChain, symbol: str) -> int:
    with sessions() as session:
        return ledger.balances(session).get((address_of(key_index), devchain.token(symbol).address), 0)


def deposit_events(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(ChainEvent.status, ChainEvent.block_hash)
            .where(ChainEvent.name == "Deposited")
            .order_by(ChainEvent.id)
        )
        return [(status, block_hash) for status, block_hash in rows]


def test_a_deposit_is_pending_until_it_has_enough_confirmations(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer, _ = follower(devchain, sessions, confirmations=3)
    indexer.poll_once()
    devchain.deposit(ALICE, "USDC", 1_000_000)
    indexer.poll_once()  # 1 confirmation
    assert deposit_events(sessions)[0][0] == "pending"
    assert credited(sessions, ALICE, devchain, "USDC") == 0
    devchain.mine(1)
    indexer.poll_once()  # 2 confirmations
    assert credited(sessions, ALICE, devchain, "USDC") == 0
    devchain.mine(1)
    result = indexer.poll_once()  # 3 confirmations
    assert result.finalized >= 1
    assert deposit_events(sessions)[0][0] == "final"
    assert credited(sessions, ALICE, devchain, "USDC") == 1_000_000


def test_a_reorg_removing_the_block_of_a_pending_deposit_leaves_no_credit(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer, _ = follower(devchain, sessions, confirmations=3)
    devchain.deposit(ALICE, "USDC", 500)
    indexer.poll_once()
    assert deposit_events(sessions)[0][0] == "pending"
    devchain.rpc("anvil_reorg", 1, [])  # the deposit's block is replaced by an empty one
    devchain.mine(5)
    result = indexer.poll_once()
    assert result.orphaned == 1
    assert result.reorgs == 1
    assert deposit_events(sessions) == [("orphaned", deposit_events(sessions)[0][1])]
    assert credited(sessions, ALICE, devchain, "USDC") == 0
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
        cursor = session.scalar(select(ChainCursor))
        assert cursor is not None and cursor.reorgs == 1


def test_a_reorg_that_moves_a_deposit_into_another_block_credits_it_once(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer, _ = follower(devchain, sessions, confirmations=2)
    devchain.approve(ALICE, "USDC", 700)
    devchain.mine(1)  # so that the approval stays below the reorg
    raw = devchain.sign(ALICE, devchain.exchange.functions.depositToken(devchain.token("USDC").address, 700))
    devchain.w3.eth.wait_for_transaction_receipt(devchain.w3.eth.send_raw_transaction(raw))
    indexer.poll_once()
    # Replace the last two blocks; the same deposit transaction lands one block lower.
    devchain.rpc("anvil_reorg", 2, [["0x" + raw.hex(), 0]])
    devchain.mine(3)
    indexer.poll_once()
    events = deposit_events(sessions)
    assert [status for status, _ in events] == ["orphaned", "final"]
    assert events[0][1] != events[1][1]
    assert credited(sessions, ALICE, devchain, "USDC") == 700
    assert devchain.vault_balance(ALICE, "USDC") == 700


def test_a_reorg_deeper_than_the_confirmations_reverses_a_credit_and_raises_an_alert(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer, _ = follower(devchain, sessions, confirmations=1)
    devchain.deposit(ALICE, "USDC", 900)
    indexer.poll_once()
    assert credited(sessions, ALICE, devchain, "USDC") == 900
    devchain.rpc("anvil_reorg", 3, [])
    indexer.poll_once()
    assert credited(sessions, ALICE, devchain, "USDC") == 0
    with sessions() as session:
        amounts = sorted(e.amount for e in session.scalars(select(LedgerEntry)))
        assert amounts == [-900, -900, 900, 900]  # the credit and its reversal; nothing deleted
        alerts = session.scalars(select(Alert)).all()
        assert [a.kind for a in alerts] == ["deep_reorg"]
        assert alerts[0].details["event"] == "Deposited"


def test_a_restart_in_the_middle_of_a_backlog_resumes_without_double_credit(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    for amount in (1, 2, 3, 4, 5, 6):
        devchain.deposit(ALICE, "USDC", amount)
    crashing, reader = follower(devchain, sessions, confirmations=1, initial_range=2, grow_after=1000)
    reader.fail_get_logs_after = 3
    with pytest.raises(RpcError):
        crashing.poll_once()
    with sessions() as session:
        stored_before = session.scalar(select(func.count()).select_from(ChainEvent))
    assert stored_before  # part of the backlog was stored before the crash

    restarted, _ = follower(devchain, sessions, confirmations=1, initial_range=2, grow_after=1000)
    restarted.poll_once()
    restarted.poll_once()
    assert credited(sessions, ALICE, devchain, "USDC") == 21
    assert [status for status, _ in deposit_events(sessions)] == ["final"] * 6


def test_an_rpc_outage_delays_credits_but_loses_nothing(devchain: DevChain, sessions: sessionmaker[Session]) -> None:
    indexer, reader = follower(devchain, sessions, confirmations=1)
    devchain.deposit(ALICE, "USDC", 11)
    reader.outage = True
    with pytest.raises(RpcError):
        indexer.poll_once()
    devchain.deposit(BOB, "USDC", 22)
    reader.outage = False
    indexer.poll_once()
    assert credited(sessions, ALICE, devchain, "USDC") == 11
    assert credited(sessions, BOB, devchain, "USDC") == 22


class GatewayPages(httpx.BaseTransport):
    """The node behind a gateway that, while `down`, answers eth_getLogs with its own error page."""

    def __init__(self) -> None:
        self.down = False
        self.node = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down and json.loads(request.content)["method"] == "eth_getLogs":
            return httpx.Response(502, json={"message": "Internal server error"})
        return self.node.handle_request(request)


def test_a_gateway_error_page_instead_of_logs_delays_a_credit_but_never_skips_its_block(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    indexer, reader = follower(devchain, sessions, confirmations=1)
    gateway = GatewayPages()
    reader._client = httpx.Client(transport=gateway)
    devchain.deposit(ALICE, "USDC", 11)
    gateway.down = True
    with pytest.raises(RpcError):
        indexer.poll_once()
    gateway.down = False
    indexer.poll_once()
    assert credited(sessions, ALICE, devchain, "USDC") == 11


def test_log_ranges_shrink_when_the_node_refuses_them_and_grow_back(
    devchain: DevChain, sessions: sessionmaker[Session]
) -> None:
    for amount in (1, 2, 3, 4):
        devchain.deposit(ALICE, "USDC", amount)
    devchain.mine(40)
    indexer, reader = follower(devchain, sessions, confirmations=1, initial_range=64, grow_after=2)
    reader.max_log_range = 5
    indexer.poll_once()
    assert max(reader.ranges) <= 5  # every range the node accepted; the refused 64-block one shrank
    assert credited(sessions, ALICE, devchain, "USDC") == 10
    reader.max_log_range = None
    devchain.mine(200)
    indexer.poll_once()
    assert max(reader.ranges) > 5  # grew back once the node accepted larger ranges
