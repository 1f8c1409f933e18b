"""The one JSON-RPC client: a keep-alive client for loops, and `rpc_call` for one-off calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from backend.errors import CodedError, ErrorCode


class RpcError(CodedError, RuntimeError):
    """The node did not answer, or answered with an error."""

    CODE = ErrorCode.RPC_UNAVAILABLE


class WrongChain(RpcError):
    """The node serves another chain than the one configured: nothing it says may be taken for ours."""


class RangeTooLarge(RpcError):
    """eth_getLogs refused the block range (too many results, range or response too big)."""


# Phrases providers use when a getLogs range is too large (geth, erigon, alchemy, infura, ...).
_RANGE_PHRASES = ("too many", "more than", "limit exceeded", "range", "response size", "exceed", "10000")
# ... and when they throttle us, which no smaller range cures ("too many requests", "rate limit exceeded").
_RATE_PHRASES = ("too many requests", "rate limit", "rate-limit", "throttl")


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    hash: str
    parent_hash: str


class JsonRpcClient:
    """Talks to a node over HTTP JSON-RPC, on one keep-alive connection."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=timeout)
        self._id = 0

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        return _result(method, lambda: self._client.post(self.url, json=_request(self._id, method, params)))

    def block_number(self) -> int:
        return _quantity("eth_blockNumber", self.call("eth_blockNumber", []))

    def chain_id(self) -> int:
        return _quantity("eth_chainId", self.call("eth_chainId", []))

    def header(self, number: int) -> Header | None:
        """The block's header, or None if the chain has no such block (it got shorter)."""
        block = self.call("eth_getBlockByNumber", [hex(number), False])
        if block is None:
            return None
        return Header(int(block["number"], 16), block["hash"], block["parentHash"])

    def get_logs(self, address: str, from_block: int, to_block: int) -> list[dict[str, Any]]:
        logs = _log_list(
            self.call("eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": hex(to_block)}]),
            address,
        )
        for entry in logs:
            number = entry.get("blockNumber")
            if not (isinstance(number, str) and number.startswith("0x") and from_block <= int(number, 16) <= to_block):
                raise RpcError(f"eth_getLogs: a log of block {number!r:.20} for blocks {from_block} to {to_block}")
        return logs

    def get_logs_at(self, address: str, block_hash: str) -> list[dict[str, Any]]:
        """The logs of one block named by its hash (EIP-234): a node that does not have that block refuses
        (`RpcError`), where a block-number range would answer with what it has."""
        logs = _log_list(self.call("eth_getLogs", [{"address": address, "blockHash": block_hash}]), address)
        for entry in logs:
            if str(entry.get("blockHash", "")).lower() != block_hash.lower():
                raise RpcError(f"eth_getLogs: a log of block {entry.get('blockHash')!r:.70} for block {block_hash}")
        return logs


def rpc_call(url: str, method: str, params: list[Any] | None = None, timeout: float = 5.0) -> Any:
    """One JSON-RPC call on a fresh connection (start-up checks, health)."""
    return _result(method, lambda: httpx.post(url, json=_request(1, method, params or []), timeout=timeout))


def _request(request_id: int, method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def _result(method: str, send: Callable[[], httpx.Response]) -> Any:
    """The call's `result`. Anything that is not a JSON-RPC answer is an `RpcError`: a proxy's or gateway's
    page (HTTP 429 or 502 with `{"message": ...}`) must never read as a null result, which for eth_getLogs
    would be "no events in these blocks" and the indexer would move past a deposit for good."""
    try:
        response = send()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RpcError(f"{method}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(body, dict):
        raise RpcError(f"{method}: unexpected answer (HTTP {response.status_code}) {body!r:.200}")
    if "error" in body:
        error = body["error"]
        message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
        kind = RangeTooLarge if method == "eth_getLogs" and _is_range_error(message) else RpcError
        raise kind(f"{method}: {message}")
    if "result" not in body or not response.is_success:
        raise RpcError(f"{method}: not a JSON-RPC answer (HTTP {response.status_code}) {body!r:.200}")
    return body["result"]


def _quantity(method: str, value: Any) -> int:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(f"{method}: expected a hex quantity, got {value!r:.100}")
    return int(value, 16)


def _log_list(value: Any, address: str) -> list[dict[str, Any]]:
    """The logs of `address`. Anything else the node sends is an `RpcError`, never skipped: the indexer credits a
    `Deposited` log as the Exchange's, and any contract can emit one, so a node (or a provider's load balancer) that
    does not apply the filter must stop the indexer, loudly, before it credits another contract's event."""
    if not isinstance(value, list):  # a node with no logs answers [], never null
        raise RpcError(f"eth_getLogs: expected a list of logs, got {value!r:.100}")
    for entry in value:
        if not isinstance(entry, dict) or str(entry.get("address", "")).lower() != address.lower():
            found = entry.get("address") if isinstance(entry, dict) else entry
            raise RpcError(f"eth_getLogs: the node answered a filter on {address} with a log of {found!r:.60}")
    return value


def _is_range_error(message: str) -> bool:
    lowered = message.lower()
    if any(phrase in lowered for phrase in _RATE_PHRASES):
        return False
    return any(phrase in lowered for phrase in _RANGE_PHRASES)
