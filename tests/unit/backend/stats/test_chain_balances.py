"""The statistics' reading of the Exchange's balances leaves out a listed token it cannot read (no contract at its
address) and still reads the others: one bad token used to lose the day's reading of every token."""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode

from backend.stats.chain import exchange_balances

EXCHANGE = "0x" + "e1" * 20
USDC, NO_CODE = "0x" + "0b" * 20, "0x" + "0d" * 20


class Node:
    def call(self, method: str, params: list[Any]) -> Any:
        if method == "eth_blockNumber":
            return hex(42)
        assert method == "eth_call" and params[1] == hex(42)  # every token at the one block
        return "0x" if params[0]["to"] == NO_CODE else "0x" + encode(["uint256"], [7_000_000]).hex()


def test_a_token_without_code_is_left_out_and_the_others_are_read() -> None:
    assert exchange_balances(Node(), EXCHANGE, [NO_CODE, USDC]) == (42, {USDC: 7_000_000})
