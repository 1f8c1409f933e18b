"""The signed flags an order must agree with, beyond its kind: they are known and go together, fill-or-kill
matches the requested time in force, an IOC or fill-or-kill order signs a short expiry, and a stop order that
does not accept the operator's trigger trades in a market with an on-chain price source (the contract skips
it everywhere else). See `backend.trading.rules.orders` for the bits."""

from __future__ import annotations

from collections.abc import Mapping

from backend.engine import TimeInForce
from backend.errors import ErrorCode, HdexError
from backend.trading.rules.markets import Market, PriceSource
from backend.trading.rules.orders import (
    FLAG_FILL_OR_KILL,
    FLAG_OPERATOR_TRIGGER,
    FLAG_POST_ONLY,
    KNOWN_FLAGS,
    OrderRequest,
)


def check_flags(request: OrderRequest, now_ms: int, max_expiry_s: int) -> None:
    """The signed flags are known, go together and agree with the requested `timeInForce`, and an IOC or
    fill-or-kill order signs a short expiry (its signature must not outlive the moment it was for)."""
    order = request.order
    if order.flags & ~KNOWN_FLAGS:
        raise HdexError(
            ErrorCode.UNKNOWN_FLAGS,
            "flags is the kind (0 limit, 1 market, 2 stop-limit, 3 stop-market) plus 4 post-only, 8 fill-or-kill "
            "and 16 operator-triggered stop; no other bit is defined",
            "order.flags",
        )
    if request.post_only and request.fill_or_kill:
        raise HdexError(
            ErrorCode.FLAGS_CONFLICT,
            f"post-only ({FLAG_POST_ONLY}) and fill-or-kill ({FLAG_FILL_OR_KILL}) exclude each other: a post-only "
            "order only makes liquidity, a fill-or-kill order only takes it; sign one of them",
            "order.flags",
        )
    if request.operator_triggered and not request.is_stop:
        raise HdexError(
            ErrorCode.FLAGS_CONFLICT,
            f"operator-triggered ({FLAG_OPERATOR_TRIGGER}) is for stop orders only (kind 2 stop-limit or 3 "
            "stop-market): clear it, or sign a stop kind",
            "order.flags",
        )
    requested = request.time_in_force
    if requested is TimeInForce.FOK and not request.fill_or_kill:
        raise HdexError(
            ErrorCode.FILL_OR_KILL_MISMATCH,
            f"timeInForce FOK needs the fill-or-kill flag signed: add {FLAG_FILL_OR_KILL} to flags, so that the "
            "contract settles the order whole or not at all",
            "order.flags",
        )
    if request.fill_or_kill and requested not in (None, TimeInForce.FOK):
        raise HdexError(
            ErrorCode.FILL_OR_KILL_MISMATCH,
            f"the order signs fill-or-kill (flags bit 3, {FLAG_FILL_OR_KILL}): send timeInForce FOK or leave it "
            f"out, not {requested}",
            "timeInForce",
        )
    latest = now_ms // 1000 + max_expiry_s
    if request.immediate and order.expiry > latest:
        kind = "a fill-or-kill" if request.fill_or_kill else "an IOC"
        raise HdexError(
            ErrorCode.EXPIRY_TOO_LONG,
            f"{kind} order trades now or never, so its signature must expire within {max_expiry_s} s: sign expiry "
            f"{latest} or earlier (unix seconds, server time from GET /v1/time)",
            "order.expiry",
        )


def check_price_source(market: Market, price_sources: Mapping[str, PriceSource | None]) -> None:
    """A stop order that does not accept the operator's trigger needs the market's on-chain price source:
    without one the contract skips every trade of it."""
    accept = (
        f"sign flags bit 4 (add {FLAG_OPERATOR_TRIGGER}) to accept operator-triggered execution (the exchange "
        "decides when the stop triggered)"
    )
    if market.name not in price_sources:
        why = f"the price source of market {market.name} could not be read from the chain yet: retry shortly, or"
    elif price_sources[market.name] is None:
        why = (
            f"market {market.name} has no on-chain price source to check a stop order's trigger against "
            f"(GET /v1/markets: priceSource null):"
        )
    else:
        return
    raise HdexError(ErrorCode.STOP_NEEDS_PRICE_SOURCE, f"{why} {accept}", "order.flags")
