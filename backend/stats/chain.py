"""The Exchange's token balances as the chain reports them (value locked), at the latest block."""

from __future__ import annotations

from backend.chain.jsonrpc import JsonRpcClient
from backend.ledger.reconcile import held_by_exchange


def exchange_balances(rpc: JsonRpcClient, exchange: str, tokens: list[str]) -> tuple[int, dict[str, int]]:
    """(block, token -> what `exchange` holds of it), all at one block (the reconciliation's reading)."""
    block = int(rpc.call("eth_blockNumber", []), 16)
    tag = hex(block)
    return block, {token: held_by_exchange(rpc.call, exchange, token, tag) for token in tokens}
