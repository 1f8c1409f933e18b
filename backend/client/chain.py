"""Deposits: the one thing a bot does on-chain itself. Signed locally with the client's key, sent to
`rpc_url`; the API never sees the key. ETH (the zero address) goes through `depositEther`, a token
through `approve` (only when the allowance is short) and `depositToken`."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from web3 import Web3

from backend.client.errors import HdexClientError

ETH = "0x0000000000000000000000000000000000000000"
GAS_LIMIT = 200_000

_ERC20 = [
    {"name": "approve", "type": "function", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"name": "allowance", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
     "outputs": [{"name": "", "type": "uint256"}]},
]  # fmt: skip
_EXCHANGE = [
    {"name": "depositToken", "type": "function", "stateMutability": "nonpayable",
     "inputs": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"}], "outputs": []},
    {"name": "depositEther", "type": "function", "stateMutability": "payable", "inputs": [], "outputs": []},
]  # fmt: skip


def deposit_onchain(
    rpc_url: str, private_key: str, exchange: str, token: str, amount: int, timeout: float = 120.0
) -> str:
    """Move `amount` (base units) of `token` from the key's wallet into its Exchange vault balance;
    returns the deposit transaction's hash once mined. Raises `HdexClientError` (TRANSACTION_REVERTED)
    if a transaction reverts, ValueError for a non-positive amount."""
    if amount <= 0:
        raise ValueError("a deposit must be more than zero")
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    account = Account.from_key(private_key)
    vault = w3.eth.contract(address=Web3.to_checksum_address(exchange), abi=_EXCHANGE)
    if int(token, 16) == 0:
        return _send(w3, account, vault.functions.depositEther(), timeout, value=amount)
    erc20 = w3.eth.contract(address=Web3.to_checksum_address(token), abi=_ERC20)
    if erc20.functions.allowance(account.address, vault.address).call() < amount:
        _send(w3, account, erc20.functions.approve(vault.address, amount), timeout)
    return _send(w3, account, vault.functions.depositToken(erc20.address, amount), timeout)


def _send(w3: Web3, account: Any, call: Any, timeout: float, value: int = 0) -> str:
    tx = call.build_transaction(
        {
            "from": account.address,
            "value": value,
            "nonce": w3.eth.get_transaction_count(account.address, "pending"),
            "gas": GAS_LIMIT,
        }
    )
    tx_hash = w3.eth.send_raw_transaction(account.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        raise HdexClientError(0, "TRANSACTION_REVERTED", f"transaction {tx_hash.to_0x_hex()} reverted")
    return str(tx_hash.to_0x_hex())
