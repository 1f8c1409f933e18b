"""What an amount of a token is worth in the reference token, in integers, rounded against the user.

The rule, in order (the first that gives a value wins):

1. the reference token itself is worth its amount;
2. a market between the token and the reference with a price: T/REF values T at that price, REF/T values
   it at the inverted price;
3. one hop: a priced market from the token to another token X that has a reference price (rule 2, or
   X's fixed price), the amount converted to X and X valued in the reference;
4. the token's fixed price from settings (`limits_fixed_prices`);
5. none: the token cannot be valued, and whatever it was asked for is refused (see README, "Tier limits").

Where one step offers several values (two markets, several hops) the largest is taken, a token's fixed price
is a floor under whatever rules 2 and 3 give (an operator's answer to a thin market, whose last trade anyone can
print low), and every division rounds up: an uncertain valuation always counts as more usage, never less.

A market's price is whatever `last_price` answers: the engine's last trade at order entry; for withdrawals,
the market's price source where it has a fresh reading, else its last stored trade (`backend.limits.store`).
Prices are in the exchange's own scale: quote base units per 1e18 base base-units (a market's last trade
price, `limitPrice`); a fixed price is reference base units per 1e18 base units of the token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from backend.limits.units import ceil_div

PRICE_SCALE = 10**18  # backend.trading.rules.markets.PRICE_SCALE: the limits sit below trading, so not imported

LastPrice = Callable[[str], int | None]  # market name -> its price (see the module docs), None while it has none


class ListedMarket(Protocol):
    """What valuation reads of a market: trading's `Market` and the `markets` table row both have it."""

    @property
    def name(self) -> str: ...
    @property
    def base_token(self) -> str: ...
    @property
    def quote_token(self) -> str: ...
    @property
    def base_symbol(self) -> str: ...
    @property
    def quote_symbol(self) -> str: ...
    @property
    def base_decimals(self) -> int: ...
    @property
    def quote_decimals(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Reference:
    """The token limits are valued in."""

    symbol: str
    token: str | None  # EIP-55 as the markets list it; None while no market lists the symbol
    decimals: int | None


@dataclass(frozen=True, slots=True)
class _Leg:
    """One market seen from one of its tokens: selling `amount` of it gives `other` at the market's price."""

    market: str
    other: str  # lower case
    token_is_base: bool


class PriceBook:
    """Markets and their prices, seen from the reference token (see the module docs)."""

    def __init__(
        self,
        markets: Iterable[ListedMarket],
        last_price: LastPrice,
        reference_symbol: str,
        fixed_prices: Mapping[str, int],
    ) -> None:
        self._last_price = last_price
        self._legs: dict[str, list[_Leg]] = {}
        symbols: dict[str, str] = {}  # symbol -> token (lower case)
        reference: Reference | None = None
        for market in markets:
            base, quote = market.base_token.lower(), market.quote_token.lower()
            self._legs.setdefault(base, []).append(_Leg(market.name, quote, True))
            self._legs.setdefault(quote, []).append(_Leg(market.name, base, False))
            symbols.setdefault(market.base_symbol, base)
            symbols.setdefault(market.quote_symbol, quote)
            if reference is None and reference_symbol in (market.base_symbol, market.quote_symbol):
                is_base = market.base_symbol == reference_symbol
                reference = Reference(
                    reference_symbol,
                    market.base_token if is_base else market.quote_token,
                    market.base_decimals if is_base else market.quote_decimals,
                )
        self.reference = reference or Reference(reference_symbol, None, None)
        self._names = {token: symbol for symbol, token in symbols.items()}  # for messages: people read symbols
        self._ref = None if self.reference.token is None else self.reference.token.lower()
        # keys: a token address, or a symbol some market lists; other keys name no token here and are ignored
        self._fixed: dict[str, int] = {}
        for key, price in fixed_prices.items():
            token = key.lower() if key.startswith("0x") else symbols.get(key)
            if token is not None:
                self._fixed[token] = price

    def name(self, token: str) -> str:
        """The symbol a market lists `token` under, else the address itself."""
        return self._names.get(token.lower(), token)

    def value(self, token: str, amount: int) -> int | None:
        """`amount` base units of `token` in reference base units, rounded up; None if it cannot be valued
        (or no market lists the reference token)."""
        if self._ref is None:
            return None
        token = token.lower()
        if token == self._ref:
            return amount
        priced = self._direct(token, amount)
        if priced is None:
            hops = [
                self._direct_or_fixed(leg.other, converted)
                for leg in self._legs.get(token, ())
                if leg.other != self._ref and (converted := self._convert(leg, amount)) is not None
            ]
            priced = max((v for v in hops if v is not None), default=None)
        return larger(priced, self._fixed_value(token, amount))

    def _direct(self, token: str, amount: int) -> int | None:
        best = None  # a loop, not max() over a list: this runs for every order
        for leg in self._legs.get(token, ()):
            if leg.other == self._ref:
                value = self._convert(leg, amount)
                if value is not None and (best is None or value > best):
                    best = value
        return best

    def _direct_or_fixed(self, token: str, amount: int) -> int | None:
        return larger(self._direct(token, amount), self._fixed_value(token, amount))

    def _fixed_value(self, token: str, amount: int) -> int | None:
        price = self._fixed.get(token)
        return None if price is None else ceil_div(amount * price, PRICE_SCALE)

    def _convert(self, leg: _Leg, amount: int) -> int | None:
        """`amount` of the leg's token in units of its other token at the market's price, rounded up."""
        price = self._last_price(leg.market)
        if price is None or price <= 0:
            return None
        if leg.token_is_base:
            return ceil_div(amount * price, PRICE_SCALE)
        return ceil_div(amount * PRICE_SCALE, price)


def larger(one: int | None, other: int | None) -> int | None:
    """The larger of two values either of which may be missing (None when both are)."""
    if one is None or other is None:
        return other if one is None else one
    return max(one, other)
