"""The exchange's vocabulary: sides, order types, time in force, self-trade modes, market states.

All are `StrEnum`s so their values are the wire strings used in JSON and in the journal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Side(StrEnum):
    """Which way an order trades: a buy rests in the bids, a sell in the asks."""

    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    """What an order is. Every type carries a price: for market kinds it is the worst accepted."""

    LIMIT = "limit"
    MARKET = "market"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"
    TAKE_PROFIT = "take_profit"
    TAKE_PROFIT_LIMIT = "take_profit_limit"


class TimeInForce(StrEnum):
    """How long the unfilled part of a limit order lives."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    POST_ONLY = "POST_ONLY"


class SelfTradePrevention(StrEnum):
    """What happens when a taker meets a resting order of the same account (the taker's mode rules)."""

    CANCEL_TAKER = "cancel_taker"
    CANCEL_MAKER = "cancel_maker"
    CANCEL_BOTH = "cancel_both"


class MarketState(StrEnum):
    """Open trades; cancel-only refuses new orders; halted refuses every command on the market."""

    OPEN = "open"
    CANCEL_ONLY = "cancel_only"
    HALTED = "halted"


STOP_TYPES: Final = frozenset(
    {OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
)
"""Order types that wait for a trade price before they execute."""

MARKET_KIND_TYPES: Final = frozenset({OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT})
"""Order types that execute as IOC at their worst acceptable price."""
