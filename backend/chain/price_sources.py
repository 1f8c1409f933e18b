"""Markets' price sources for stop orders, read from the Exchange: `priceFeed(baseToken, quoteToken)`.

The admin sets a market's source through the Custody timelock; a stop order without the operator-triggered
flag settles only once that source reached its trigger, and never in a market without one. Order entry reads
the sources here to refuse such stop orders at the door and to publish them (`GET /v1/markets`), and the
engine host reads the price the contract checks those stops against (the source's feed, scaled as the contract
scales it) to fire them.
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
_LATEST_ROUND_DATA = "0x" + keccak(text="latestRoundData()")[:4].hex()


class FeedUnusable(RuntimeError):
    """The feed gave no round the Exchange's `PriceSourceLib.latest` accepts: a revert, an answer shorter than five
    words or not hex, or a price <= 0. The contract then lets no stop order settle on it."""


def read_price_feed(call: RpcCall, exchange: str, base_token: str, quote_token: str) -> tuple[str, int] | None:
    """Market (`base_token`, `quote_token`)'s price source on `exchange` at the latest block: the feed (EIP-55)
    and the longest age of its answer in seconds, None when it has none (the scale is the contract's business).
    `RpcError` when the node fails or answers something other than `priceFeed`'s four values (no Exchange at
    that address, or one without price sources)."""
    feed, max_age, _, _ = _view(call, exchange, "priceFeed", _PRICE_FEED, _ANSWER, base_token, quote_token, "latest")
    if int(feed, 16) == 0:
        return None
    return to_checksum_address(feed), max_age


def latest_block(call: RpcCall) -> tuple[int, int]:
    """The latest block's number and timestamp (`RpcError` when the node fails)."""
    block = call("eth_getBlockByNumber", ["latest", False])
    try:
        return int(block["number"], 16), int(block["timestamp"], 16)
    except (KeyError, TypeError, ValueError):
        raise RpcError(f"eth_getBlockByNumber(latest): unexpected answer {block!r:.80}") from None


def read_reference_price(
    call: RpcCall, exchange: str, base_token: str, quote_token: str, block: int, now_s: int, margin_s: int
) -> tuple[int, int] | None:
    """The price the Exchange checks market (`base_token`, `quote_token`)'s stop orders against, read at block
    `block` at time `now_s` (not before that block's timestamp): the range (at least, at most) of whole price
    units that holds the feed's answer scaled as the contract scales it (exact when equal). None when no stop
    could trigger on it for `margin_s` more seconds: no price source, a feed that fails or answers a
    non-positive price, or an answer that is stale or will be within that margin (a fill matched now is checked
    again when its settlement is mined). `RpcError` when the node fails (a feed call that reverts is the feed
    failing) or the Exchange answers something other than `priceFeed`'s four values."""
    tag = hex(block)
    source = _view(call, exchange, "priceFeed", _PRICE_FEED, _ANSWER, base_token, quote_token, tag)
    feed, max_age, scale_up, scale_down = source
    if int(feed, 16) == 0:
        return None
    try:
        answer, updated_at = read_latest_round(call, feed, tag)
    except FeedUnusable:
        return None
    if updated_at == 0 or updated_at > now_s or now_s + margin_s - updated_at > max_age:
        return None
    scaled, unit = answer * 10**scale_up, 10**scale_down
    return scaled // unit, -(-scaled // unit)


def read_latest_round(call: RpcCall, feed: str, block: str = "latest") -> tuple[int, int]:
    """The feed's latest round at `block` as `PriceSourceLib.latest` reads it: (answer > 0, updatedAt), words 1 and 3
    of an answer of at least five (no check of the other words or of any padding). `FeedUnusable` when the contract
    would not use it; `RpcError` when the node itself fails."""
    data = feed_view(call, feed, _LATEST_ROUND_DATA, block)
    if len(data) < 160:
        raise FeedUnusable(f"latestRoundData() answered {len(data)} bytes, not five words")
    answer = int.from_bytes(data[32:64], "big", signed=True)
    if answer <= 0:
        raise FeedUnusable(f"answers {answer}, not a price")
    return answer, int.from_bytes(data[96:128], "big")


def feed_view(call: RpcCall, feed: str, data: str, block: str = "latest") -> bytes:
    """A view call on a feed: its raw answer; `FeedUnusable` when the call reverts or the answer is not hex,
    `RpcError` when the node itself fails."""
    try:
        raw = call("eth_call", [{"to": feed, "data": data}, block])
    except RpcError as exc:
        lowered = exc.message.lower()
        if "revert" in lowered or "execution" in lowered:
            raise FeedUnusable(exc.message) from None
        raise
    try:
        return bytes.fromhex(str(raw).removeprefix("0x"))
    except ValueError as exc:
        raise FeedUnusable(f"unexpected answer: {exc}") from None


def _view(
    call: RpcCall, exchange: str, name: str, selector: bytes, answer: list[str], base_token: str, quote_token: str,
    block: str,
) -> tuple[Any, ...]:  # fmt: skip
    data = selector + encode(["address", "address"], [base_token, quote_token])
    result = call("eth_call", [{"to": exchange, "data": "0x" + data.hex()}, block])
    try:
        return tuple(decode(answer, bytes.fromhex(str(result).removeprefix("0x"))))
    except (DecodingError, ValueError):
        call_text = f"{name}({base_token}, {quote_token}) on {exchange}"
        raise RpcError(f"{call_text}: unexpected answer {result!r:.80}") from None
