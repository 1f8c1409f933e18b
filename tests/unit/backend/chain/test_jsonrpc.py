"""The JSON-RPC client tells a node's answer from anything else: a proxy's or gateway's page is an error,
never a null result (which for eth_getLogs would mean "these blocks hold no events")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.chain.jsonrpc import JsonRpcClient, RangeTooLarge, RpcError


def client_answering(status: int, body: Any) -> JsonRpcClient:
    client = JsonRpcClient("http://node.invalid")
    client._client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(status, json=body)))
    return client


def answer(result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "result": result}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, {"message": "Too Many Requests"}),  # a provider's rate limit page
        (502, {"message": "Internal server error"}),  # a gateway in front of the node
        (200, {"message": "ok"}),  # a 200 that is not JSON-RPC
        (503, answer([])),  # a JSON-RPC body on a failed response: not to be trusted
        (200, answer(None)),  # a node never answers eth_getLogs with null
        (200, ["not", "an", "object"]),
    ],
    ids=["429-page", "502-page", "200-not-json-rpc", "503-with-result", "null-logs", "array"],
)
def test_an_answer_that_is_not_a_json_rpc_result_is_an_rpc_error_not_an_empty_list_of_logs(
    status: int, body: Any
) -> None:
    client = client_answering(status, body)
    with pytest.raises(RpcError) as raised:
        client.get_logs("0x" + "11" * 20, 1, 2)
    assert not isinstance(raised.value, RangeTooLarge)
    with pytest.raises(RpcError):
        client.get_logs_at("0x" + "11" * 20, "0x" + "22" * 32)


def test_a_block_number_that_is_not_a_hex_quantity_is_an_rpc_error() -> None:
    for body in ({"message": "Bad Gateway"}, answer(None), answer(12)):
        with pytest.raises(RpcError):
            client_answering(200, body).block_number()
    assert client_answering(200, answer("0x2a")).block_number() == 42


def test_null_results_the_protocol_allows_stay_none() -> None:
    assert client_answering(200, answer(None)).header(10**9) is None  # no such block: the chain got shorter
    assert client_answering(200, answer(None)).call("eth_getTransactionReceipt", ["0x" + "33" * 32]) is None
    assert client_answering(200, answer([])).get_logs("0x" + "11" * 20, 1, 2) == []


@pytest.mark.parametrize(
    ("message", "range_error"),
    [
        ("query returned more than 10000 results", True),
        ("block range is too large", True),
        ("Log response size exceeded", True),
        ("rate limit exceeded", False),  # throttled: a smaller range does not help
        ("Too Many Requests", False),
        ("project ID request rate-limit exceeded", False),
    ],
)
def test_a_refused_range_shrinks_but_a_throttled_call_is_only_an_rpc_error(message: str, range_error: bool) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": message}}
    with pytest.raises(RpcError) as raised:
        client_answering(200, body).get_logs("0x" + "11" * 20, 1, 2)
    assert isinstance(raised.value, RangeTooLarge) is range_error
    assert message in str(raised.value)


EXCHANGE = "0x" + "11" * 20
BLOCK_HASH = "0x" + "22" * 32


def exchange_log(**changes: Any) -> dict[str, Any]:
    """A log as a node returns it for a filter on EXCHANGE (address in any case), in block 5 (BLOCK_HASH)."""
    return {"address": EXCHANGE.upper().replace("0X", "0x"), "blockNumber": "0x5", "blockHash": BLOCK_HASH} | changes


def test_the_logs_asked_for_pass_whatever_the_case_of_their_address() -> None:
    assert client_answering(200, answer([exchange_log()])).get_logs(EXCHANGE, 5, 5) == [exchange_log()]
    assert client_answering(200, answer([exchange_log()])).get_logs_at(EXCHANGE, BLOCK_HASH) == [exchange_log()]


@pytest.mark.parametrize(
    "stray",
    [
        exchange_log(address="0x" + "66" * 20),  # any contract can emit a Deposited event: never to be credited
        exchange_log(address=None),
        "0x" + "66" * 20,
    ],
    ids=["another-contract", "no-address", "not-a-log"],
)
def test_a_log_the_filter_did_not_ask_for_is_an_rpc_error_not_an_event(stray: Any) -> None:
    for ask in (lambda c: c.get_logs(EXCHANGE, 1, 9), lambda c: c.get_logs_at(EXCHANGE, BLOCK_HASH)):
        with pytest.raises(RpcError, match="eth_getLogs: the node answered a filter on"):
            ask(client_answering(200, answer([exchange_log(), stray])))


def test_a_log_outside_the_blocks_asked_for_is_an_rpc_error() -> None:
    for number in ("0x4", "0xa", None):
        with pytest.raises(RpcError, match="for blocks 5 to 9"):
            client_answering(200, answer([exchange_log(blockNumber=number)])).get_logs(EXCHANGE, 5, 9)
    with pytest.raises(RpcError, match=f"for block {BLOCK_HASH}"):
        client_answering(200, answer([exchange_log(blockHash="0x" + "33" * 32)])).get_logs_at(EXCHANGE, BLOCK_HASH)
