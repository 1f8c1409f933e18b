"""Every result code the matching engine reports, in one enum, grouped by subsystem.

A code travels in `Rejected.reason` (the command changed nothing) or in `OrderCancelled.reason`
(the order left the book). The API maps these to HTTP errors in one place; the engine never does.
"""

from __future__ import annotations

from enum import StrEnum


class ResultCode(StrEnum):
    """Why a command was rejected or an order was cancelled. Values are stable wire strings."""

    # market: the market itself refuses the command
    UNKNOWN_MARKET = "unknown_market"
    MARKET_EXISTS = "market_exists"
    INVALID_MARKET_SPEC = "invalid_market_spec"
    MARKET_CANCEL_ONLY = "market_cancel_only"
    MARKET_HALTED = "market_halted"

    # validation: the order's numbers are off the market's grid
    INVALID_PRICE = "invalid_price"
    PRICE_OFF_TICK = "price_off_tick"
    INVALID_QUANTITY = "invalid_quantity"
    QUANTITY_OFF_LOT = "quantity_off_lot"
    BELOW_MIN_NOTIONAL = "below_min_notional"
    INVALID_STOP_PRICE = "invalid_stop_price"
    STOP_PRICE_OFF_TICK = "stop_price_off_tick"
    STOP_PRICE_NOT_ALLOWED = "stop_price_not_allowed"
    TIF_NOT_ALLOWED = "tif_not_allowed"
    ALREADY_EXPIRED = "already_expired"

    # order: the order's identity or lifecycle refuses the command
    DUPLICATE_ORDER_ID = "duplicate_order_id"
    UNKNOWN_ORDER = "unknown_order"
    AMEND_NOT_A_DECREASE = "amend_not_a_decrease"
    WOULD_TRIGGER_IMMEDIATELY = "would_trigger_immediately"

    # execution: matching refused or ended the order
    POST_ONLY_WOULD_CROSS = "post_only_would_cross"
    FOK_NOT_FILLED = "fok_not_filled"
    IOC_REMAINDER = "ioc_remainder"
    SELF_TRADE_PREVENTED = "self_trade_prevented"
    CANCELLED_BY_USER = "cancelled_by_user"
