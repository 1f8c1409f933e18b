"""Market risk rules: price bands, the circuit breaker's verdict on a move, halts, and order limits.

- Band: an aggressive order (one that takes liquidity now: its limit price crosses the best opposite price,
  or a stop order, which takes liquidity once triggered) must carry a limit price within `band_bps` of the
  market's reference price (`backend.trading.rules.reference`). Resting maker orders may sit anywhere.
- Breaker: a trade more than `breaker_bps` from the reference halts the market for `cooldown_s` (cancels
  only); more than `alert_bps` raises a volatility alert without halting.
- Limits: an order's size (base units) and notional (quote units, at its limit price), and an account's open
  orders' notional in one market (each open order's remaining amount at its limit price, plus the new one).

Basis points are of the reference price; a setting of 0 (bands, breaker, alert) is off; a limit of None is none.
Everything here is pure: the engine host calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import IntEnum
from typing import Any

from backend.errors import ErrorCode, HdexError

BPS = 10_000
HALT_KINDS = ("breaker", "feed", "staff")
MAX_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """One market's risk settings, every default filled in (settings `risk_*` for what the market leaves unset)."""

    band_bps: int
    breaker_bps: int
    alert_bps: int
    window_s: int
    cooldown_s: int
    feed_alert_bps: int
    feed_halt_bps: int
    max_order_base: int | None = None
    max_order_notional: int | None = None
    max_open_notional: int | None = None

    def overridden(self, changes: dict[str, Any]) -> RiskSettings:
        """These settings with a market's own values (a None value keeps this default)."""
        return replace(self, **{name: value for name, value in changes.items() if value is not None})


RISK_FIELDS = tuple(field.name for field in fields(RiskSettings))
# What a host built without settings (tests of other things) checks: no band, no breaker, no limits.
RISK_OFF = RiskSettings(band_bps=0, breaker_bps=0, alert_bps=0, window_s=300, cooldown_s=300, feed_alert_bps=0,
                        feed_halt_bps=0)  # fmt: skip


def risk_setting_error(settings: RiskSettings) -> tuple[str, str] | None:
    """(field, why) when the settings cannot work together, else None."""
    for name in ("band_bps", "breaker_bps", "alert_bps", "feed_alert_bps", "feed_halt_bps"):
        value = getattr(settings, name)
        if not 0 <= value <= BPS:
            return name, f"{name} must be within 0..{BPS} basis points (0: off)"
    for name in ("window_s", "cooldown_s"):
        if not 1 <= getattr(settings, name) <= MAX_SECONDS:
            return name, f"{name} must be within 1..{MAX_SECONDS} seconds"
    for name in ("max_order_base", "max_order_notional", "max_open_notional"):
        value = getattr(settings, name)
        if value is not None and not 0 < value < 2**256:
            return name, f"{name} must be more than 0 (or null: no limit)"
    if settings.alert_bps and settings.breaker_bps and settings.alert_bps >= settings.breaker_bps:
        return "alert_bps", "alert_bps must be below breaker_bps: the alert warns before the breaker halts"
    if settings.feed_alert_bps and settings.feed_halt_bps and settings.feed_alert_bps >= settings.feed_halt_bps:
        return "feed_alert_bps", "feed_alert_bps must be below feed_halt_bps"
    return None


# bands


def band_range(reference: int, band_bps: int) -> tuple[int, int]:
    """The limit prices an aggressive order may carry: [low, high], both inclusive."""
    low = -(-reference * (BPS - band_bps) // BPS)  # rounded in, so both ends are within the band
    return max(low, 0), reference * (BPS + band_bps) // BPS


def is_aggressive(side: int, limit_price: int, best_bid: int | None, best_ask: int | None) -> bool:
    """Whether an order (side 0 buy, 1 sell) crosses the best opposite price, i.e. takes liquidity now."""
    if side == 0:
        return best_ask is not None and limit_price >= best_ask
    return best_bid is not None and limit_price <= best_bid


def check_band(limit_price: int, reference: int, band_bps: int) -> None:
    """PRICE_OUTSIDE_BAND unless `limit_price` is within `band_bps` of `reference` (0: no band)."""
    if band_bps <= 0:
        return
    low, high = band_range(reference, band_bps)
    if not low <= limit_price <= high:
        raise HdexError(
            ErrorCode.PRICE_OUTSIDE_BAND,
            f"an order that takes liquidity must be priced within the market's band of {band_bps} bps "
            f"({band_bps / 100:g}%) around its reference price {reference}: send a limitPrice from {low} to {high}, "
            "or a price that does not cross the book",
            "order.limitPrice",
        )


# the circuit breaker


class Move(IntEnum):
    """How far a trade moved from the reference: within limits, past the alert threshold, past the breaker's."""

    CALM = 0
    VOLATILE = 1
    BREAKER = 2


def moved_beyond(reference: int, price: int, bps: int) -> bool:
    """Whether `price` is more than `bps` basis points away from `reference` (0 bps: never)."""
    return bps > 0 and abs(price - reference) * BPS > reference * bps


def assess_move(reference: int, price: int, settings: RiskSettings) -> Move:
    """The circuit breaker's verdict on a trade at `price` (module docs)."""
    if moved_beyond(reference, price, settings.breaker_bps):
        return Move.BREAKER
    if moved_beyond(reference, price, settings.alert_bps):
        return Move.VOLATILE
    return Move.CALM


def move_bps(reference: int, price: int) -> int:
    """The move from `reference` to `price` in whole basis points (rounded down)."""
    return abs(price - reference) * BPS // reference if reference else 0


@dataclass(frozen=True, slots=True)
class Halt:
    """A market's risk halt: cancels only until `until_ms` (kinds: breaker, feed, staff)."""

    market: str
    kind: str
    reason: str
    reference: int | None
    price: int | None
    halted_at_ms: int
    until_ms: int

    def row(self, cleared_by: str | None = None) -> dict[str, Any]:
        """The `market_halts` row (columns as in `backend.db.models.MarketHalt`); `cleared_by`: who ended it early."""
        return {
            "market": self.market,
            "kind": self.kind,
            "reason": self.reason,
            "reference": self.reference,
            "price": self.price,
            "halted_at_ms": self.halted_at_ms,
            "until_ms": self.until_ms,
            "cleared_by": cleared_by,
        }


def breaker_halt(market: str, reference: int, price: int, settings: RiskSettings, now_ms: int) -> Halt:
    """The halt a trade at `price` trips: `cooldown_s` from now, its reason in words."""
    direction = "up" if price > reference else "down"
    reason = (
        f"the price moved {direction} {move_bps(reference, price) / 100:g}% from the reference {reference} to {price} "
        f"within {settings.window_s} s (breaker at {settings.breaker_bps / 100:g}%)"
    )
    return Halt(market, "breaker", reason, reference, price, now_ms, now_ms + settings.cooldown_s * 1000)


def circuit_breaker_error(halt: Halt) -> HdexError:
    """MARKET_CIRCUIT_BREAKER for an order sent while `halt` lasts: why and until when."""
    return HdexError(
        ErrorCode.MARKET_CIRCUIT_BREAKER,
        f"the market {halt.market} is halted ({halt.kind}: {halt.reason}) and takes only cancels until "
        f"{halt.until_ms} (epoch ms): send the order again after that (GET /v1/markets shows the halt)",
        "order",
    )


# limits


def check_order_limits(base_amount: int, notional: int, settings: RiskSettings, priced_at: str = "limitPrice") -> None:
    """ORDER_SIZE_LIMIT_EXCEEDED / MARKET_NOTIONAL_LIMIT_EXCEEDED for an order above the market's limits; its
    `notional` is `base_amount` at the price `priced_at` names (see `RiskDesk.check_order`)."""
    if settings.max_order_base is not None and base_amount > settings.max_order_base:
        raise HdexError(
            ErrorCode.ORDER_SIZE_LIMIT_EXCEEDED,
            f"this market takes orders of at most {settings.max_order_base} base units: send a smaller baseAmount",
            "order.baseAmount",
        )
    if settings.max_order_notional is not None and notional > settings.max_order_notional:
        raise HdexError(
            ErrorCode.MARKET_NOTIONAL_LIMIT_EXCEEDED,
            f"the order's notional {notional} (baseAmount * {priced_at} / 1e18) is above this market's limit of "
            f"{settings.max_order_notional} quote base units: send a smaller baseAmount",
            "order.baseAmount",
        )


def check_open_notional(open_notional: int, notional: int, settings: RiskSettings) -> None:
    """OPEN_NOTIONAL_LIMIT_EXCEEDED when the account's open orders here plus this one pass the market's limit."""
    limit = settings.max_open_notional
    if limit is not None and open_notional + notional > limit:
        raise HdexError(
            ErrorCode.OPEN_NOTIONAL_LIMIT_EXCEEDED,
            f"your open orders in this market hold a notional of {open_notional} quote base units and this order "
            f"adds {notional}: at most {limit} may be open; cancel orders or send a smaller baseAmount",
            "order.baseAmount",
        )
