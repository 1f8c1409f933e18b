"""`CustodyNode` against a node that behaves as public providers do: logs are read in ranges they accept, only
from where they matter, and a transaction the node took but did not mine in time is reported as sent, with its
hash, never as a failure to send."""

from __future__ import annotations

from typing import cast

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account

from backend.chain import treasury
from backend.chain.compiler import ensure_compiled
from backend.chain.treasury import DAY, CustodyNode
from backend.paths import ARTIFACTS_DIR
from custody.approvals import CustodyTransaction
from custody.calls import KnownAbis
from custody.errors import TransactionNotMined, TreasuryError
from custody.policy import ETH, ScheduledCall, schedule_data
from custody.proposal import Proposal

from .fake_custody_node import (
    CHAIN_ID,
    MAX_LOG_RANGE,
    FakeCustodyNode,
    address_argument,
    selector,
    word,
)

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
YESTERDAYS, EARLY, LATE = ("0x" + f"{i:02x}" * 20 for i in (0xA1, 0xA2, 0xA3))
DAY_NUMBER, DAY_STARTS_AT_BLOCK, HEAD = 20_000, 13_000, 20_000  # 7,000 blocks of 12 s today: two log ranges
SENDER = Account.from_key("0x" + "42" * 32)


@pytest.fixture
def day_node(monkeypatch: pytest.MonkeyPatch) -> FakeCustodyNode:
    genesis = DAY_NUMBER * DAY - DAY_STARTS_AT_BLOCK * 12
    fake = FakeCustodyNode(CUSTODY, HEAD, genesis)
    fake.executed = {DAY_STARTS_AT_BLOCK - 1: YESTERDAYS, DAY_STARTS_AT_BLOCK: EARLY, HEAD - 10: LATE}
    counted = {ETH: 0, EARLY.lower(): 5, LATE.lower(): 7}
    fake.calls[selector("spentToday(address)")] = lambda args: word(counted[address_argument(args).lower()])
    monkeypatch.setattr(treasury, "make_web3", lambda url: fake.web3())
    return fake


def custody_node(abis: KnownAbis | None = None) -> CustodyNode:
    return CustodyNode("http://node.test", CUSTODY, abis or cast(KnownAbis, object()))


def test_spent_today_reads_only_the_days_blocks_in_ranges_a_provider_accepts(day_node: FakeCustodyNode) -> None:
    spent = custody_node().spent_today()
    assert {token.lower(): amount for token, amount in spent.items()} == {EARLY.lower(): 5, LATE.lower(): 7}
    ranges = day_node.log_ranges()
    assert ranges == [(13_000, 17_999), (18_000, 20_000)]  # from the day's first block, none wider than allowed
    assert all(high - low + 1 <= MAX_LOG_RANGE for low, high in ranges)
    blocks_read = [p for m, p in day_node.asked if m == "eth_getBlockByNumber"]
    assert len(blocks_read) <= 1 + HEAD.bit_length()  # the latest, then a binary search: not a block per log
    asked = [address_argument(bytes.fromhex(p[0]["data"][10:])) for m, p in day_node.asked if m == "eth_call"]
    assert YESTERDAYS.lower() not in {a.lower() for a in asked}


def test_spent_today_starts_no_earlier_than_the_block_it_is_given(day_node: FakeCustodyNode) -> None:
    custody_node().spent_today(from_block=19_000)
    assert day_node.log_ranges() == [(19_000, 20_000)]


def test_scheduled_calls_are_read_in_the_same_bounded_ranges(day_node: FakeCustodyNode) -> None:
    assert custody_node().scheduled_calls(0, 12_000) == []
    assert day_node.log_ranges() == [(0, 4_999), (5_000, 9_999), (10_000, 12_000)]


@pytest.fixture
def due_operation(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeCustodyNode, CustodyNode, Proposal]:
    """A scheduled `Exchange.pause()` that is due, on a node that takes transactions and never mines them."""
    ensure_compiled()
    abis = KnownAbis.from_artifacts(ARTIFACTS_DIR)
    fake = FakeCustodyNode(CUSTODY, HEAD, genesis=1_800_000_000)
    now = fake.genesis + HEAD * fake.block_time
    fake.calls[selector("readyAt(bytes32)")] = lambda args: word(now - 60)
    fake.calls[selector("GRACE_PERIOD()")] = lambda args: word(14 * DAY)
    fake.calls[selector("executeScheduled(address,uint256,bytes,bytes32)")] = lambda args: abi_encode(["bytes"], [b""])
    monkeypatch.setattr(treasury, "make_web3", lambda url: fake.web3())
    monkeypatch.setattr(treasury, "RECEIPT_TIMEOUT_S", 0.3)
    operation = ScheduledCall(EXCHANGE, 0, abis.encode("pause", []), b"\x07" * 32)
    tx = CustodyTransaction(CHAIN_ID, CUSTODY, CUSTODY, 0, schedule_data(abis, operation), 0, now + DAY)
    return fake, custody_node(abis), Proposal.create(tx, abis)


def test_a_transaction_the_node_took_but_did_not_mine_in_time_is_reported_as_sent_with_its_hash(
    due_operation: tuple[FakeCustodyNode, CustodyNode, Proposal],
) -> None:
    fake, node, proposal = due_operation
    with pytest.raises(TransactionNotMined) as pending:
        node.execute_scheduled(proposal, SENDER)
    sent = [p[0] for m, p in fake.asked if m == "eth_sendRawTransaction"]
    assert len(sent) == 1
    tx_hash = fake.eth_sendRawTransaction(sent[0])
    assert pending.value.tx_hash == tx_hash
    message = str(pending.value)
    assert message.startswith(f"transaction {tx_hash} was sent but is not mined yet")
    assert "sending failed" not in message and "before running execute or schedule again" in message


def test_a_transaction_the_node_refused_is_reported_as_not_sent(
    due_operation: tuple[FakeCustodyNode, CustodyNode, Proposal], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, node, proposal = due_operation
    refusal = {"error": {"code": -32000, "message": "nonce too low"}}
    monkeypatch.setattr(fake, "eth_sendRawTransaction", lambda raw: refusal)
    with pytest.raises(TreasuryError, match=r"nothing was sent: .*nonce too low") as refused:
        node.execute_scheduled(proposal, SENDER)
    assert not isinstance(refused.value, TransactionNotMined)
