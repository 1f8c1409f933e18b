"""The price stop orders are fired on: the Exchange's price source read as the contract reads it (scaled exactly,
failing or stale feeds unusable, with a margin for the settlement still to come), at one block."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode

from backend.chain.jsonrpc import RpcError
from backend.chain.price_sources import latest_block, read_reference_price

EXCHANGE, FEED = "0x" + "ee" * 20, "0x" + "fe" * 20
BASE, QUOTE = "0x" + "ba" * 20, "0x" + "c0" * 20
NOW, BLOCK = 1_800_000_000, 77


class Node:
    """Answers the two eth_calls (the Exchange's priceFeed, the feed's latestRoundData) and records the blocks."""

    def __init__(self, answer: int = 2_000 * 10**8, updated_at: int = NOW - 60, scale: tuple[int, int] = (0, 2)):
        self.source = encode(["address", "uint32", "uint8", "uint8"], [FEED, 3600, *scale])
        self.round: bytes | Exception = encode(
            ["uint80", "int256", "uint256", "uint256", "uint80"], [1, answer, updated_at, updated_at, 1]
        )
        self.blocks: list[str] = []

    def __call__(self, method: str, params: list[Any]) -> Any:
        if method == "eth_getBlockByNumber":
            return {"number": hex(BLOCK), "timestamp": hex(NOW)}
        call, block = params
        self.blocks.append(block)
        if call["to"] == EXCHANGE:
            return "0x" + self.source.hex()
        if isinstance(self.round, Exception):
            raise self.round
        return "0x" + self.round.hex()


def read(node: Node, margin_s: int = 10) -> tuple[int, int] | None:
    return read_reference_price(node, EXCHANGE, BASE, QUOTE, BLOCK, NOW, margin_s)


@pytest.mark.parametrize(
    ("answer", "scale", "expected"),
    [
        (2_000 * 10**8, (0, 2), (2_000 * 10**6, 2_000 * 10**6)),  # 8-decimal feed, 6-decimal quote: exact
        (2_000 * 10**8 + 1, (0, 2), (2_000 * 10**6, 2_000 * 10**6 + 1)),  # between two price units
        (3, (0, 2), (0, 1)),  # below one price unit
        (7, (4, 0), (70_000, 70_000)),  # scaled up
    ],
)
def test_the_answer_is_scaled_as_the_contract_scales_it_into_the_units_that_hold_it(
    answer: int, scale: tuple[int, int], expected: tuple[int, int]
) -> None:
    node = Node(answer=answer, scale=scale)
    assert read(node) == expected
    assert node.blocks == [hex(BLOCK), hex(BLOCK)]  # both reads at one block


@pytest.mark.parametrize(
    "node",
    [
        Node(answer=0),
        Node(answer=-5),
        Node(updated_at=0),
        Node(updated_at=NOW + 1),  # from the future
        Node(updated_at=NOW - 3600),  # fresh now, stale before a fill matched now is mined
    ],
    ids=["zero", "negative", "never updated", "future", "stale within the margin"],
)
def test_an_answer_the_contract_would_not_use_by_settlement_fires_nothing(node: Node) -> None:
    assert read(node) is None


def test_a_feed_that_reverts_or_answers_short_is_unusable_but_a_node_that_fails_is_an_error() -> None:
    node = Node()
    whole = node.round
    node.round = RpcError("eth_call: execution reverted")
    assert read(node) is None
    assert isinstance(whole, bytes)
    node.round = whole[:128]  # a fresh, positive answer, one word short
    assert read(node) is None
    node.round = RpcError("eth_call: ReadTimeout: timed out")  # says nothing of the feed: nothing is known
    with pytest.raises(RpcError, match="timed out"):
        read(node)
    node.source = b"\x00" * 32
    with pytest.raises(RpcError, match="priceFeed"):
        read(node)


def test_the_words_the_contract_ignores_are_not_checked() -> None:
    """The contract reads words 1 (answer) and 3 (updatedAt) and nothing else: a round id with bits above 80 is fine."""
    node = Node()
    assert isinstance(node.round, bytes)
    node.round = b"\xff" * 32 + node.round[32:] + b"\x00" * 32
    assert read(node) == (2_000 * 10**6, 2_000 * 10**6)


def test_an_answer_as_old_as_the_margin_allows_is_still_used_and_no_source_is_none() -> None:
    assert read(Node(updated_at=NOW + 10 - 3600)) == (2_000 * 10**6, 2_000 * 10**6)
    node = Node()
    node.source = encode(["address", "uint32", "uint8", "uint8"], ["0x" + "00" * 20, 0, 0, 0])
    assert read(node) is None
    assert latest_block(node) == (BLOCK, NOW)
