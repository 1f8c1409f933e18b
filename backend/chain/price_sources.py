"""Markets' price sources for stop orders, read from the Exchange: `priceFeed(baseToken, quoteToken)`.

The admin sets a market's source through the Custody timelock; a stop order without the operator-triggered
flag settles only once that source reached its trigger, and never in a market without one. Order entry reads
the sources here to refuse such stop orders at the door and to publish them (`GET /v1/markets`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from backend.chain.jsonrpc import RpcError

RpcCall = Callable[[str, list[Any]], Any]  # (method, params) -> result, e.g. `JsonRpcClient.call`
_PRICE_FEED = keccak(text="priceFeed(address,address)")[:4]
_ANSWER = ["address", "uint32", "uint8", "uint8"]  # (feed, maxAge, scaleUp, scaleDown)


def read_price_feed(call: RpcCall, exchange: str, base_token: str, quote_token: str) -> tuple[str, int] | None:
    """Market (`base_token`, `quote_token`)'s price source on `exchange` at the latest block: the feed (EIP-55)
    and the longest age of its answer in seconds, None when it has none (the scale is the contract's business).
    `RpcError` when the node fails or answers something other than `priceFeed`'s four values (no Exchange at
    that address, or one without price sources)."""
    data = _PRICE_FEED + encode(["address", "address"], [base_token, quote_token])
    result = call("eth_call", [{"to": exchange, "data": "0x" + data.hex()}, "latest"])
    try:
        feed, max_age, _, _ = decode(_ANSWER, bytes.fromhex(str(result).removeprefix("0x")))
    except (DecodingError, ValueError):
        call_text = f"priceFeed({base_token}, {quote_token}) on {exchange}"
        raise RpcError(f"{call_text}: unexpected answer {result!r:.80}") from None
    if int(feed, 16) == 0:
        return None
    return to_checksum_address(feed), max_age
