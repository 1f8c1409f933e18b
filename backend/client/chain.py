"""Deposits: the one thing a bot does on-chain itself. Signed locally with the client's key, sent to `rpc_url`; the API
never sees the key. The node must be on the chain of the exchange's EIP-712 domain, or nothing is sent
(`WrongChain`): on another chain the Exchange's address may hold anything. ETH (the zero address) goes through
`depositEther`, a token through `approve` (only when the allowance is short) and `depositToken`. A token deposit the
wallet's balance cannot cover is refused before anything is sent (`InsufficientFunds`), and every transaction's gas
is estimated first, so one that would revert is refused with the node's reason (TRANSACTION_REFUSED) instead of
being mined and paid for.

The node's failures are the client's typed errors: unreachable before anything was sent, NETWORK; an error it
answered, TRANSACTION_REFUSED; silent once it was handed a signed transaction, `TransactionOutcomeUnknown` with the
transaction's hash (computed locally), since that transaction may be mined and a second deposit is no retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import requests
from eth_account import Account
from web3 import Web3
from web3.exceptions import TimeExhausted, Web3Exception

from backend.client.core import uint_argument
from backend.client.errors import (
    NETWORK,
    TRANSACTION_REFUSED,
    HdexClientError,
    InsufficientFunds,
    InvalidArgument,
    TransactionOutcomeUnknown,
    WrongChain,
)
from backend.signing import Domain

T = TypeVar("T")

ETH = "0x0000000000000000000000000000000000000000"
GAS_HEADROOM = 5  # the estimate plus a fifth: storage the transaction touches may change before it is mined

_ERC20 = [
    {"name": "approve", "type": "function", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"name": "balanceOf", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
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
    rpc_url: str, private_key: str, domain: Domain, token: str, amount: int, timeout: float = 120.0
) -> str:
    """Move `amount` (base units) of `token` from the key's wallet into its vault balance at the Exchange of `domain`
    (the API's EIP-712 domain: its `verifying_contract` on chain `chain_id`); returns the deposit transaction's hash
    once mined. Raises `WrongChain` (WRONG_CHAIN) when the node at `rpc_url` is on another chain, and
    `InsufficientFunds` (INSUFFICIENT_FUNDS) when the wallet holds less of the token than `amount`, both before
    anything is sent; `HdexClientError`: TRANSACTION_REFUSED if the node refuses one (also its gas estimate: a
    transaction that would revert, with the node's reason, or more ether than the wallet holds),
    TRANSACTION_REVERTED if one reverts once mined all the same, NETWORK if it cannot be reached before anything was
    sent, `TransactionOutcomeUnknown` (with the hash) if it falls silent after; `InvalidArgument` (a ValueError) for
    an amount that is not a positive int of base units, before the node is asked anything."""
    if uint_argument("amount", amount, 256) == 0:
        raise InvalidArgument("amount", "a deposit must be more than zero")
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    node_chain_id = _before_sending(lambda: int(w3.eth.chain_id))
    if node_chain_id != domain.chain_id:
        raise WrongChain(domain.chain_id, node_chain_id)
    account = Account.from_key(private_key)
    vault = w3.eth.contract(address=Web3.to_checksum_address(domain.verifying_contract), abi=_EXCHANGE)
    send = partial(_send, w3, account, chain_id=domain.chain_id, timeout=timeout)
    if int(token, 16) == 0:
        return send(vault.functions.depositEther(), "the deposit", value=amount)
    erc20 = w3.eth.contract(address=Web3.to_checksum_address(token), abi=_ERC20)
    held = _before_sending(lambda: int(erc20.functions.balanceOf(account.address).call()))
    if held < amount:  # sent, the deposit would revert on-chain after its approve: both paid for, no reason given
        raise InsufficientFunds(erc20.address, held, amount)
    allowance = _before_sending(lambda: int(erc20.functions.allowance(account.address, vault.address).call()))
    if allowance < amount:
        send(erc20.functions.approve(vault.address, amount), "the approve")
    return send(vault.functions.depositToken(erc20.address, amount), "the deposit")


def _before_sending(read: Callable[[], T]) -> T:
    """`read()`, a node call made before anything is sent: its failures are definite (nothing was sent)."""
    try:
        return read()
    except requests.RequestException as exc:  # no answer: connection refused or reset, timeout
        raise HdexClientError(0, NETWORK, f"the chain node gave no answer ({type(exc).__name__}: {exc})") from exc
    except Web3Exception as exc:  # an answer that is an error: a call reverted, no contract at the token, ...
        raise HdexClientError(0, TRANSACTION_REFUSED, f"the chain node refused: {exc}") from exc


@contextmanager
def _answer_unknown(what: str, tx_hash: str) -> Iterator[None]:
    """Inside: the signed transaction `tx_hash` may have reached the node, so silence is no refusal."""
    try:
        yield
    except (requests.RequestException, TimeExhausted) as exc:
        raise TransactionOutcomeUnknown(what, tx_hash, exc) from exc


def _send(w3: Web3, account: Any, call: Any, what: str, *, chain_id: int, timeout: float, value: int = 0) -> str:
    """Sign and send `call` for chain `chain_id` (a node that moved to another chain since refuses it), gas
    estimated first: one that would revert is refused by the node's estimate (with its reason) before anything is
    sent. Returns the transaction's hash once mined successfully."""
    nonce = _before_sending(lambda: w3.eth.get_transaction_count(account.address, "pending"))
    fields: dict[str, Any] = {"from": account.address, "value": value, "nonce": nonce}
    gas = _before_sending(lambda: int(call.estimate_gas(fields)))
    tx = _before_sending(
        lambda: call.build_transaction({**fields, "chainId": chain_id, "gas": gas + gas // GAS_HEADROOM})
    )
    signed = account.sign_transaction(tx)
    tx_hash = "0x" + bytes(signed.hash).hex()  # known before sending: the answer may never come
    with _answer_unknown(what, tx_hash):
        try:
            w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3Exception as exc:  # the node answered with an error: not taken (insufficient funds, ...)
            raise HdexClientError(0, TRANSACTION_REFUSED, f"the chain node refused {what}: {exc}") from exc
        receipt = w3.eth.wait_for_transaction_receipt(signed.hash, timeout=timeout)
    if receipt["status"] != 1:
        raise HdexClientError(0, "TRANSACTION_REVERTED", f"{what} {tx_hash} reverted")
    return tx_hash
