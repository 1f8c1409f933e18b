"""A deposit goes only to a node on the exchange's chain: the Exchange's address comes from the API's EIP-712 domain,
and on another chain the same address holds anything or nothing, so the funds would be lost. A node on another
chain is refused with `WrongChain` before anything is sent; on the right chain every transaction is signed for it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from eth_account.typed_transactions import TypedTransaction
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.providers.base import BaseProvider
from web3.types import RPCEndpoint, RPCResponse

from backend.client import HdexClientError
from backend.client.errors import WRONG_CHAIN, WrongChain

from .fake_exchange import FakeExchange, async_client, sync_client

USDC = "0x" + "0b" * 20
API_CHAIN_ID = 31337  # the chain FakeExchange's /v1/eip712 names


class ChainNode(BaseProvider):
    """A node on chain `chain_id` that takes an ether deposit and mines it; every method asked is recorded."""

    def __init__(self, chain_id: int) -> None:
        super().__init__()
        self.chain_id = chain_id
        self.asked: list[tuple[str, Any]] = []
        self.sent: list[bytes] = []

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.asked.append((method, params))
        return {"jsonrpc": "2.0", "id": 1, "result": self._answer(method, params)}

    def _answer(self, method: str, params: Any) -> Any:
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "eth_sendRawTransaction":
            self.sent.append(bytes.fromhex(params[0].removeprefix("0x")))
            return "0x" + keccak(self.sent[-1]).hex()
        if method == "eth_getTransactionReceipt":
            return {"transactionHash": params[0], "status": "0x1", "blockNumber": "0x2", "logs": []}
        if method == "eth_getBlockByNumber":
            return {"number": "0x1", "baseFeePerGas": hex(10**9), "timestamp": "0x1", "transactions": []}
        answers = {"eth_getTransactionCount": "0x0", "eth_estimateGas": hex(50_000), "eth_maxPriorityFeePerGas": "0x1"}
        return answers[method]


@pytest.fixture
def node(monkeypatch: pytest.MonkeyPatch) -> ChainNode:
    """The node every `rpc_url` reaches; its chain is set by the test."""
    chain = ChainNode(API_CHAIN_ID)
    monkeypatch.setattr(Web3, "HTTPProvider", lambda url, request_kwargs=None: chain)
    return chain


@pytest.mark.parametrize("token", ["0x" + "00" * 20, USDC], ids=["ether", "token"])
def test_a_deposit_through_a_node_on_another_chain_is_refused_before_anything_is_sent(
    node: ChainNode, token: str
) -> None:
    node.chain_id = 1
    client = sync_client(FakeExchange())
    client.rpc_url = "http://mainnet.test"
    with pytest.raises(WrongChain) as refused:
        client.deposit(token, 10**18)
    assert isinstance(refused.value, HdexClientError) and refused.value.code == WRONG_CHAIN
    assert (refused.value.chain_id, refused.value.node_chain_id) == (API_CHAIN_ID, 1)
    assert "nothing was sent" in str(refused.value)
    assert [method for method, _ in node.asked] == ["eth_chainId"]  # no balance read, nothing signed or sent


def test_the_async_client_refuses_a_node_on_another_chain_too(node: ChainNode) -> None:
    node.chain_id = 10
    client = async_client(FakeExchange())
    client.rpc_url = "http://optimism.test"
    with pytest.raises(WrongChain):
        asyncio.run(client.deposit("0x" + "00" * 20, 10**18))
    assert node.sent == []


def test_a_deposit_through_a_node_on_the_exchanges_chain_is_signed_for_that_chain(node: ChainNode) -> None:
    exchange = FakeExchange()
    client = sync_client(exchange)
    client.rpc_url = "http://devchain.test"
    client.deposit("0x" + "00" * 20, 10**18)
    [raw] = node.sent
    sent = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
    assert sent["chainId"] == API_CHAIN_ID and sent["value"] == 10**18
    assert Web3.to_checksum_address(sent["to"]) == Web3.to_checksum_address(exchange.exchange)
