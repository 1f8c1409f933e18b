"""Each KYC level's limits in reference base units, and a wallet's staff overrides of them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from backend.limits.units import whole_to_base
from backend.settings import Settings

LEVELS = (0, 1, 2)
# the API's name of each limit (JSON keys, the `overridden` list), by attribute
API_NAMES = {
    "withdrawal_daily": "withdrawalDaily",
    "withdrawal_30d": "withdrawal30d",
    "max_order_notional": "maxOrderNotional",
}


@dataclass(frozen=True, slots=True)
class TierLimits:
    """Limits in reference base units: withdrawals per rolling 24 h and 30 days, and one order's notional."""

    withdrawal_daily: int
    withdrawal_30d: int
    max_order_notional: int


@dataclass(frozen=True, slots=True)
class Overrides:
    """A wallet's limits set by staff; None keeps the tier's value."""

    withdrawal_daily: int | None = None
    withdrawal_30d: int | None = None
    max_order_notional: int | None = None

    def applied_to(self, tier: TierLimits) -> TierLimits:
        """The tier's limits with these in their place."""
        changes = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(tier, **changes)

    @property
    def overridden(self) -> list[str]:
        """The API names of the limits set here."""
        return [API_NAMES[f.name] for f in fields(self) if getattr(self, f.name) is not None]

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


NO_OVERRIDES = Overrides()


def tier_limits(settings: Settings, level: int, decimals: int) -> TierLimits:
    """Level `level`'s limits (settings `limits_tiers`) for a reference token of `decimals`."""
    tier = settings.limits_tiers[level]
    return TierLimits(
        whole_to_base(tier.withdrawal_daily, decimals),
        whole_to_base(tier.withdrawal_30d, decimals),
        whole_to_base(tier.max_order_notional, decimals),
    )


def next_level(level: int) -> int | None:
    """The level above `level`, or None at the top."""
    return level + 1 if level + 1 in LEVELS else None
