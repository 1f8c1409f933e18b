"""A market's grid rules and the validation of orders against them.

Units: `qty` is an integer count of the market's quantity units and `price` an integer count of
quote units per one quantity unit, so the notional `price * qty` is an integer count of quote units;
the engine never scales or rounds (how these units map to token base units is fixed by whoever adds
the market). `tick_size` divides every price and stop price, `lot_size` every quantity, and the
notional must be at least `min_notional` (inclusive). For market kinds the price checked is the
worst acceptable price, so the notional bounds what the order can spend or receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from backend.engine.codes import ResultCode
from backend.engine.commands import PlaceOrder
from backend.engine.types import STOP_TYPES, OrderType, TimeInForce


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """The grid of one market: price tick, quantity lot and minimum notional (see module docs)."""

    market: str
    tick_size: int
    lot_size: int
    min_notional: int


def spec_error(spec: MarketSpec) -> ResultCode | None:
    """Why a market spec is unusable, or None: name empty, tick or lot < 1, min notional < 0."""
    if not spec.market or spec.tick_size < 1 or spec.lot_size < 1 or spec.min_notional < 0:
        return ResultCode.INVALID_MARKET_SPEC
    return None


_GTC: Final = TimeInForce.GTC
_IOC: Final = TimeInForce.IOC
_FOK: Final = TimeInForce.FOK
_POST: Final = TimeInForce.POST_ONLY

# (default when the order gives none, every tif the type accepts)
_TIF_RULES: Final[dict[OrderType, tuple[TimeInForce, frozenset[TimeInForce]]]] = {
    OrderType.LIMIT: (_GTC, frozenset({_GTC, _IOC, _FOK, _POST})),
    OrderType.MARKET: (_IOC, frozenset({_IOC, _FOK})),
    OrderType.STOP_MARKET: (_IOC, frozenset({_IOC})),
    OrderType.TAKE_PROFIT: (_IOC, frozenset({_IOC})),
    OrderType.STOP_LIMIT: (_GTC, frozenset({_GTC})),
    OrderType.TAKE_PROFIT_LIMIT: (_GTC, frozenset({_GTC})),
}


def check_order(spec: MarketSpec, order: PlaceOrder) -> TimeInForce | ResultCode:
    """The time in force the order executes with, or the first rule it breaks, checked in a fixed
    order: price, quantity, notional, stop price, time in force."""
    price, qty = order.price, order.qty
    if price <= 0:
        return ResultCode.INVALID_PRICE
    if price % spec.tick_size:
        return ResultCode.PRICE_OFF_TICK
    if qty <= 0:
        return ResultCode.INVALID_QUANTITY
    if qty % spec.lot_size:
        return ResultCode.QUANTITY_OFF_LOT
    filled = order.filled
    if filled < 0:
        return ResultCode.INVALID_QUANTITY
    if price * (qty + filled) < spec.min_notional:
        return ResultCode.BELOW_MIN_NOTIONAL
    stop_price = order.stop_price
    if order.order_type in STOP_TYPES:
        if stop_price is None or stop_price <= 0:
            return ResultCode.INVALID_STOP_PRICE
        if stop_price % spec.tick_size:
            return ResultCode.STOP_PRICE_OFF_TICK
    elif stop_price is not None or order.reference_trigger:  # a trigger, of any source, is for stop kinds only
        return ResultCode.STOP_PRICE_NOT_ALLOWED
    default, allowed = _TIF_RULES[order.order_type]
    if order.tif is None:
        return default
    return order.tif if order.tif in allowed else ResultCode.TIF_NOT_ALLOWED


def amend_error(spec: MarketSpec, price: int, remaining: int, qty: int) -> ResultCode | None:
    """Why an order at `price` with `remaining` cannot be reduced to `qty`, or None."""
    if qty <= 0:
        return ResultCode.INVALID_QUANTITY
    if qty % spec.lot_size:
        return ResultCode.QUANTITY_OFF_LOT
    if qty >= remaining:
        return ResultCode.AMEND_NOT_A_DECREASE
    if price * qty < spec.min_notional:
        return ResultCode.BELOW_MIN_NOTIONAL
    return None
