"""A chain node holding one Custody, as far as `CustodyNode` asks it: blocks a fixed time apart, `Executed` logs,
the contract's reads, and transactions taken but never mined. `eth_getLogs` refuses ranges wider than public
providers allow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak
from web3 import Web3
from web3.providers.base import BaseProvider
from web3.types import RPCEndpoint, RPCResponse

MAX_LOG_RANGE = 5_000
CHAIN_ID = 31337
EXECUTED = keccak(text="Executed(uint256,bytes32,address,uint256,bytes)")


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


class FakeCustodyNode(BaseProvider):
    """Block `n` is stamped `genesis + n * block_time`; `executed` maps a block to the target of the direct execute
    in it; `calls` answers an `eth_call` by selector (a function of the arguments' bytes)."""

    def __init__(self, custody: str, head: int, genesis: int, block_time: int = 12) -> None:
        super().__init__()
        self.custody, self.head, self.genesis, self.block_time = custody.lower(), head, genesis, block_time
        self.executed: dict[int, str] = {}
        self.calls: dict[bytes, Callable[[bytes], bytes]] = {}
        self.asked: list[tuple[str, Any]] = []

    def web3(self) -> Web3:
        return Web3(self)

    def is_connected(self, show_traceback: bool = False) -> bool:
        return True

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.asked.append((method, params))
        answer = getattr(self, method)(*params)
        if isinstance(answer, dict) and "error" in answer:
            return {"jsonrpc": "2.0", "id": 1, "error": answer["error"]}
        return {"jsonrpc": "2.0", "id": 1, "result": answer}

    def log_ranges(self) -> list[tuple[int, int]]:
        return [self._range(p[0]) for m, p in self.asked if m == "eth_getLogs"]

    def _range(self, query: dict[str, Any]) -> tuple[int, int]:
        def block(key: str) -> int:
            number = query.get(key, "latest")
            return self.head if number == "latest" else int(number, 16)

        return block("fromBlock"), block("toBlock")

    # ------------------------------------------------------------ JSON-RPC

    def eth_chainId(self) -> str:
        return hex(CHAIN_ID)

    def eth_blockNumber(self) -> str:
        return hex(self.head)

    def eth_getBlockByNumber(self, number: str, full: bool = False) -> dict[str, Any]:
        n = self.head if number == "latest" else int(number, 16)
        assert 0 <= n <= self.head, number
        return {
            "number": hex(n),
            "hash": "0x" + keccak(n.to_bytes(32, "big")).hex(),
            "parentHash": "0x" + keccak((n - 1).to_bytes(32, "big", signed=True)).hex(),
            "timestamp": hex(self.genesis + n * self.block_time),
            "baseFeePerGas": hex(10**9),
            "gasLimit": hex(30_000_000),
            "transactions": [],
        }

    def eth_getLogs(self, query: dict[str, Any]) -> Any:
        low, high = self._range(query)
        if high - low + 1 > MAX_LOG_RANGE:
            return {"error": {"code": -32005, "message": f"query exceeds max block range {MAX_LOG_RANGE}"}}
        topic = query["topics"][0] if query.get("topics") else None
        if topic is not None and bytes.fromhex(topic.removeprefix("0x")) != EXECUTED:
            return []
        return [self._executed_log(n, target) for n, target in sorted(self.executed.items()) if low <= n <= high]

    def eth_call(self, call: dict[str, Any], block: Any = "latest") -> str:
        data = bytes.fromhex(call["data"].removeprefix("0x"))
        assert call["to"].lower() == self.custody, call
        return "0x" + self.calls[data[:4]](data[4:]).hex()

    def eth_getTransactionCount(self, address: str, block: Any = "latest") -> str:
        return hex(0)

    def eth_estimateGas(self, call: dict[str, Any], block: Any = None) -> str:
        return hex(100_000)

    def eth_maxPriorityFeePerGas(self) -> str:
        return hex(10**9)

    def eth_sendRawTransaction(self, raw: str) -> str:
        return "0x" + keccak(bytes.fromhex(raw.removeprefix("0x"))).hex()  # taken, never mined

    def eth_getTransactionReceipt(self, tx_hash: str) -> None:
        return None

    def _executed_log(self, block: int, target: str) -> dict[str, Any]:
        word = "0x" + bytes(12).hex() + target.lower().removeprefix("0x")
        return {
            "address": Web3.to_checksum_address(self.custody),
            "topics": ["0x" + EXECUTED.hex(), "0x" + block.to_bytes(32, "big").hex(), "0x" + "11" * 32, word],
            "data": "0x" + abi_encode(["uint256", "bytes"], [0, b""]).hex(),
            "blockNumber": hex(block),
            "blockHash": "0x" + keccak(block.to_bytes(32, "big")).hex(),
            "transactionHash": "0x" + keccak(b"tx" + block.to_bytes(32, "big")).hex(),
            "transactionIndex": "0x0",
            "logIndex": "0x0",
            "removed": False,
        }


def address_argument(args: bytes) -> str:
    return str(Web3.to_checksum_address(abi_decode(["address"], args)[0]))


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")
