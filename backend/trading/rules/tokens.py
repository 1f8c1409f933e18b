"""What the exchange knows about a token: its symbol and decimals, from the markets that trade it.

A token no market lists yet (someone deposited it anyway) has no symbol or decimals here: views
say `null` rather than guess. ETH, the zero address in the vault, is always known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.trading.rules.markets import Market

ETH = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    address: str  # EIP-55
    symbol: str | None
    decimals: int | None


def token_directory(markets: Iterable[Market]) -> dict[str, TokenInfo]:
    """EIP-55 address -> what the markets say about it, plus ETH."""
    directory = {ETH: TokenInfo(ETH, "ETH", 18)}
    for market in markets:
        directory[market.base_token] = TokenInfo(market.base_token, market.base_symbol, market.base_decimals)
        directory[market.quote_token] = TokenInfo(market.quote_token, market.quote_symbol, market.quote_decimals)
    return directory


def token_fields(directory: dict[str, TokenInfo], address: str) -> dict[str, Any]:
    """`token`, `symbol` and `decimals` of an EIP-55 address, for a view or a message."""
    info = directory.get(address) or TokenInfo(address, None, None)
    return {"token": info.address, "symbol": info.symbol, "decimals": info.decimals}
