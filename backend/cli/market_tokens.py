"""`hdex market add` against the chain: the symbols and decimals typed are the tokens' own, the addresses are
contracts, and whether the Exchange lists them yet. A market with the wrong decimals prices every order by a
power of ten; one over an address without code can never settle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak

from backend.chain.jsonrpc import RpcError
from backend.trading.rules.accounts import checksum
from backend.trading.rules.markets import Market
from backend.trading.rules.tokens import ETH
from backend.trading.store.markets import MarketError

Call = Callable[[str, list[Any]], Any]

_DECIMALS = keccak(text="decimals()")[:4]
_SYMBOL = keccak(text="symbol()")[:4]
_IS_TOKEN_LISTED = keccak(text="isTokenListed(address)")[:4]


def check_market_tokens(call: Call, exchange: str, market: Market) -> list[str]:
    """Refuse (MarketError) a token without code, or whose `decimals()` or `symbol()` differ from the market's;
    return the warnings to print (a token the Exchange does not list yet). RpcError if the node does not answer."""
    warnings: list[str] = []
    for side, token, symbol, decimals in (
        ("base", checksum(market.base_token), market.base_symbol, market.base_decimals),
        ("quote", checksum(market.quote_token), market.quote_symbol, market.quote_decimals),
    ):
        if token == ETH:
            continue  # ether, the Exchange's own balance of token zero: no contract to ask (add_market checked 18)
        if call("eth_getCode", [token, "latest"]) in ("0x", "0x0"):
            raise MarketError(f"{side} token {token}: no contract at that address")
        on_chain = _read(call, token, _DECIMALS, "uint8")
        if on_chain is None:
            raise MarketError(f"{side} token {token}: its decimals() cannot be read (not an ERC-20?)")
        if on_chain != decimals:
            raise MarketError(f"--{side}-decimals {decimals} but {side} token {token} has decimals() {on_chain}")
        named = _symbol(call, token)
        if named is None:
            warnings.append(f"{side} token {token} has no readable symbol(): --{side}-symbol {symbol} not checked")
        elif named != symbol:
            raise MarketError(f"--{side}-symbol {symbol} but {side} token {token} has symbol() {named!r}")
        if not _read(call, exchange, _IS_TOKEN_LISTED + abi_encode(["address"], [token]), "bool"):
            warnings.append(
                f"the Exchange does not list {side} token {token} ({symbol}) yet: its deposits are refused until "
                "Custody lists it (setTokenListed)"
            )
    return warnings


def _symbol(call: Call, token: str) -> str | None:
    """`symbol()` as a string, or as the bytes32 some early tokens (MKR) return."""
    text = _read(call, token, _SYMBOL, "string")
    if text is not None:
        return str(text)
    raw = _read(call, token, _SYMBOL, "bytes32")
    return None if raw is None else bytes(raw).rstrip(b"\0").decode("utf-8", "replace")


def _read(call: Call, to: str, data: bytes, kind: str) -> Any:
    """The decoded answer of a view call, or None if it reverts or answers something else."""
    try:
        answer = call("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"])
        (value,) = abi_decode([kind], bytes.fromhex(str(answer).removeprefix("0x")))
    except (RpcError, DecodingError, ValueError, OverflowError):
        return None
    return value
