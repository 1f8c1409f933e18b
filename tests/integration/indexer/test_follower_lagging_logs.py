"""The indexer against a node whose logs lag its headers (two backends of a load balancer): the newest blocks
are read by block hash, which such a backend refuses, instead of by a block range, which it answers without
the newest logs. Scripted chains from `test_follower_forks`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from .test_follower_forks import ALICE, BOB, Fork, ScriptedReader, credited, follower


def test_a_node_whose_logs_lag_its_headers_makes_the_scan_wait_instead_of_skipping_the_newest_deposits(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """A load balancer may answer eth_getLogs from a backend a block behind the one answering headers: a block
    range would come back without the newest block's deposit, the cursor would pass it, and it would never be
    credited. The newest blocks are read by block hash, which such a backend refuses: the scan waits there, and
    what is below is still promoted."""
    chain = Fork("a", 10)
    chain.deposit(8, tx=1, wallet=BOB, amount=50)
    chain.deposit(10, tx=2, wallet=ALICE, amount=100)
    reader = ScriptedReader(chain)
    reader.logs_behind = 1
    indexer = follower(reader, sessions, confirmations=1)
    result = indexer.poll_once()
    assert (result.last_block, credited(sessions)) == (9, {BOB: 50})
    assert "no logs yet for a block it has" in caplog.text
    assert "unknown block hash" not in caplog.text  # this node refuses unknown hashes
    reader.logs_behind = 0
    indexer.poll_once()
    assert credited(sessions) == {BOB: 50, ALICE: 100}


def test_a_node_that_answers_an_unknown_block_hash_with_no_logs_is_warned_about(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    class Lenient(ScriptedReader):
        def get_logs_at(self, address: str, block_hash: str) -> list[dict[str, Any]]:
            return [] if block_hash == "0x" + "00" * 32 else super().get_logs_at(address, block_hash)

    chain = Fork("a", 3)
    chain.deposit(3, tx=1, wallet=ALICE, amount=100)
    indexer = follower(Lenient(chain), sessions, confirmations=1)
    indexer.poll_once()
    indexer.poll_once()
    assert caplog.text.count("answers eth_getLogs for an unknown block hash with no logs") == 1
    assert credited(sessions) == {ALICE: 100}
