"""The Exchange's token balances as the chain reports them (value locked), at the latest block."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from backend.ledger.reconcile import UnreadableToken, held_by_exchange

log = logging.getLogger(__name__)


class Rpc(Protocol):
    def call(self, method: str, params: list[Any]) -> Any: ...


def exchange_balances(rpc: Rpc, exchange: str, tokens: list[str]) -> tuple[int, dict[str, int]]:
    """(block, token -> what `exchange` holds of it), all at one block (the reconciliation's reading). A token whose
    balance cannot be read (no contract at its address) is left out and logged: the others are still read."""
    block = int(rpc.call("eth_blockNumber", []), 16)
    tag = hex(block)
    held: dict[str, int] = {}
    for token in tokens:
        try:
            held[token] = held_by_exchange(rpc.call, exchange, token, tag)
        except UnreadableToken as unreadable:
            log.warning("stats: a token's chain balance unreadable", extra={"error": str(unreadable)})
    return block, held
