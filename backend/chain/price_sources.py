"""Markets' price sources for stop orders, read from the Exchange: `priceFeed(baseToken, quoteToken)`.

The admin sets a market's source through the Custody timelock; a stop order without the operator-triggered
flag settles only once that source reached its trigger, and never in a market without one. Order entry reads
the sources here to refuse such stop orders at the door and to publish them (`GET /v1/markets`), and the
engine host reads the reference price the contract checks those stops against (`referencePrice`) to fire them.
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
_REFERENCE_PRICE = keccak(text="referencePrice(address,address)")[:4]
_REFERENCE_ANSWER = ["bool", "uint256", "uint256"]  # (usable, price rounded down, updatedAt)


def read_price_feed(call: RpcCall, exchange: str, base_token: str, quote_token: str) -> tuple[str, int] | None:
    """Market (`base_token`, `quote_token`)'s price source on `exchange` at the latest block: the feed (EIP-55)
    and the longest age of its answer in seconds, None when it has none (the scale is the contract's business).
    `RpcError` when the node fails or answers something other than `priceFeed`'s four values (no Exchange at
    that address, or one without price sources)."""
    feed, max_age, _, _ = _view(call, exchange, "priceFeed", _PRICE_FEED, _ANSWER, base_token, quote_token)
    if int(feed, 16) == 0:
        return None
    return to_checksum_address(feed), max_age


def read_reference_price(call: RpcCall, exchange: str, base_token: str, quote_token: str) -> tuple[int, int] | None:
    """The reference price the Exchange checks market (`base_token`, `quote_token`)'s stop orders against at the
    latest block, as the range (at least, at most) in price units that holds it, or None when no stop could
    trigger now (no price source, or a failing or stale feed). The contract reports the price rounded down: it
    is exact when the source does not scale the feed's answer down, else the true price lies below one more
    unit (`RpcError` as `read_price_feed`)."""
    args = (base_token, quote_token)
    usable, price, _ = _view(call, exchange, "referencePrice", _REFERENCE_PRICE, _REFERENCE_ANSWER, *args)
    if not usable or price == 0:
        return None
    _, _, _, scale_down = _view(call, exchange, "priceFeed", _PRICE_FEED, _ANSWER, *args)
    return (price, price if scale_down == 0 else price + 1)


def _view(
    call: RpcCall, exchange: str, name: str, selector: bytes, answer: list[str], base_token: str, quote_token: str
) -> tuple[Any, ...]:
    data = selector + encode(["address", "address"], [base_token, quote_token])
    result = call("eth_call", [{"to": exchange, "data": "0x" + data.hex()}, "latest"])
    try:
        return tuple(decode(answer, bytes.fromhex(str(result).removeprefix("0x"))))
    except (DecodingError, ValueError):
        call_text = f"{name}({base_token}, {quote_token}) on {exchange}"
        raise RpcError(f"{call_text}: unexpected answer {result!r:.80}") from None
