"""What a settlement batch whose nonce is used at the indexer's final block became on the final chain: mined
successfully at or before that block (its events release the holds: nothing to do), mined there reverted, or
replaced by another transaction at its nonce (the node faked at the edge: receipts by hash)."""

from __future__ import annotations

from typing import Any

import pytest

from relayer.settlement import _final_outcome
from relayer.transactions import LOST_IN_REORG, REVERTED_AFTER_REORG

FINAL = 100
FIRST, REPRICED = "0x" + "01" * 32, "0x" + "02" * 32


class Node:
    def __init__(self, receipts: dict[str, dict[str, str]]) -> None:
        self.receipts = receipts

    def call(self, method: str, params: list[Any]) -> Any:
        assert method == "eth_getTransactionReceipt"
        return self.receipts.get(params[0])


class Manager:
    def __init__(self, receipts: dict[str, dict[str, str]]) -> None:
        self.rpc = Node(receipts)


def receipt(block: int, status: int) -> dict[str, str]:
    return {"blockNumber": hex(block), "status": hex(status)}


@pytest.mark.parametrize(
    ("receipts", "outcome"),
    [
        ({REPRICED: receipt(FINAL, 1)}, None),  # its repriced attempt, mined at the final block
        ({FIRST: receipt(FINAL - 5, 1)}, None),
        ({FIRST: receipt(FINAL - 5, 0)}, REVERTED_AFTER_REORG),
        ({}, LOST_IN_REORG),  # another transaction took the nonce
    ],
)
def test_a_batch_whose_nonce_is_used_at_a_final_block(receipts: dict[str, dict[str, str]], outcome: str | None) -> None:
    assert _final_outcome(Manager(receipts), [FIRST, REPRICED], FINAL) == outcome  # type: ignore[arg-type]
