"""The Exchange's token balances as the chain reports them (value locked), at the latest block."""

from __future__ import annotations

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from backend.chain.jsonrpc import JsonRpcClient

_ERC20_BALANCE = keccak(text="balanceOf(address)")[:4]


def exchange_balances(rpc: JsonRpcClient, exchange: str, tokens: list[str]) -> tuple[int, dict[str, int]]:
    """(block, token -> what `exchange` holds of it): ETH (the zero address) by eth_getBalance, ERC-20s by
    balanceOf, all at one block."""
    block = int(rpc.call("eth_blockNumber", []), 16)
    tag = hex(block)
    amounts = {}
    for token in tokens:
        if int(token, 16) == 0:
            amounts[token] = int(rpc.call("eth_getBalance", [exchange, tag]), 16)
            continue
        data = "0x" + (_ERC20_BALANCE + abi_encode(["address"], [exchange])).hex()
        result = rpc.call("eth_call", [{"to": token, "data": data}, tag])
        (value,) = abi_decode(["uint256"], bytes.fromhex(result[2:]))
        amounts[token] = int(value)
    return block, amounts
