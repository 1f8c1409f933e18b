"""Markets: how the signed order's numbers map onto the matching engine's integer grid.

Money model (IExchange.sol): `limitPrice` is quote base units per PRICE_SCALE (1e18) base
base-units; `baseAmount` is in base base-units. The engine's grid is the signed grid itself:

- engine price    = order.limitPrice      (a multiple of the market's `tick_size`)
- engine quantity = order.baseAmount      (a multiple of `lot_size`)
- engine min notional = `min_notional` (quote base units) * PRICE_SCALE, so that the engine's
  `price * qty >= min_notional` is exactly `quote amount >= min_notional`.

A market requires `tick_size * lot_size % PRICE_SCALE == 0`: then every fill's quote amount
`qty * price / PRICE_SCALE` is an exact integer, so the fill satisfies both signed limit prices with
equality and no rounding ever touches a trade (only fees round, in the user's favour).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from backend.engine import AddMarket, MarketState, PlaceOrder, Side

PRICE_SCALE = 10**18
FEE_RATE_SCALE = 10**6
MAX_FEE_RATE = 10_000  # 1 %: the Exchange contract's hard cap on fee rates, in millionths


@dataclass(frozen=True, slots=True)
class Market:
    """One market as the exchange trades it (see the module docs for the units)."""

    name: str
    base_token: str
    quote_token: str
    base_symbol: str
    quote_symbol: str
    base_decimals: int
    quote_decimals: int
    tick_size: int
    lot_size: int
    min_notional: int
    maker_fee_rate: int
    taker_fee_rate: int
    state: MarketState

    def engine_command(self, ts: int) -> AddMarket:
        """The engine command that opens this market's book."""
        return AddMarket(self.name, self.tick_size, self.lot_size, self.min_notional * PRICE_SCALE, ts)

    def with_state(self, state: MarketState) -> Market:
        return replace(self, state=state)


@dataclass(frozen=True, slots=True)
class PriceSource:
    """A market's price source for stop orders, as the Exchange holds it (`priceFeed(base, quote)`): a
    Chainlink-shaped `feed` (EIP-55) whose answer the contract trusts while at most `max_age` seconds old.
    A stop order without the operator-triggered flag first settles only once this source reached its trigger."""

    feed: str
    max_age: int


MAX_SYMBOL_CHARS = 16  # as the markets table stores them


def market_rule_error(market: Market) -> str | None:
    """Why a market definition is unusable, or None."""
    if market.base_token.lower() == market.quote_token.lower():
        return "base and quote token must differ"
    if market.tick_size < 1 or market.lot_size < 1 or market.min_notional < 0:
        return "tick and lot must be >= 1 and min notional >= 0"
    if (market.tick_size * market.lot_size) % PRICE_SCALE:
        return "tick_size * lot_size must be a multiple of 1e18 (exact quote amounts)"
    for rate in (market.maker_fee_rate, market.taker_fee_rate):
        if not 0 <= rate <= MAX_FEE_RATE:
            return f"fee rates must be within 0..{MAX_FEE_RATE} millionths"
    if not (0 <= market.base_decimals <= 36 and 0 <= market.quote_decimals <= 36):
        return "decimals must be within 0..36"
    if not (0 < len(market.base_symbol) <= MAX_SYMBOL_CHARS and 0 < len(market.quote_symbol) <= MAX_SYMBOL_CHARS):
        return f"token symbols are 1-{MAX_SYMBOL_CHARS} characters"
    return None


def highest_price(command: PlaceOrder, best_bid: int | None) -> int:
    """The highest price an order can trade at now, which bounds what its base amount is worth: a buy pays at most
    its limit; a sell gets at least its limit, and as taker the bids it sells into (the best of them highest), or
    for a stop kind the bids near its trigger. (A sell's limit alone is a floor: a sell offered at the smallest
    tick into bids of 3,000, a market sell's worst price, would count as worth next to nothing.)"""
    if command.side is Side.BUY:
        return command.price
    return max(command.price, command.stop_price or 0, best_bid or 0)


def quote_amount(base_amount: int, price: int) -> int:
    """Quote base units for `base_amount` at `price` (exact on a market's grid)."""
    return base_amount * price // PRICE_SCALE


def fee(received: int, rate: int) -> int:
    """The fee on `received` at `rate` millionths, rounded down (in the user's favour)."""
    return received * rate // FEE_RATE_SCALE
