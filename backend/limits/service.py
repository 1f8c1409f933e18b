"""A wallet's limits as a whole (level, tier, overrides, usage), the withdrawal check, staff overrides, and
the notional of an order. Functions run in the caller's unit of work; the caller commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from backend.accounts.levels import overrides_json, standing
from backend.audit_log import record_action
from backend.db.locks import lock_wallet
from backend.errors import ErrorCode, HdexError
from backend.limits import store
from backend.limits.store import Usage
from backend.limits.tiers import NO_OVERRIDES, Overrides, TierLimits, next_level, tier_limits
from backend.limits.units import ceil_div, human
from backend.limits.valuation import PRICE_SCALE, PriceBook, Reference
from backend.settings import Settings


@dataclass(frozen=True, slots=True)
class AccountLimits:
    """What `GET /v1/accounts/{address}/limits` shows: amounts in reference base units."""

    address: str
    level: int
    reference: Reference
    limits: TierLimits
    used: Usage
    overridden: list[str]
    next_level: tuple[int, TierLimits] | None

    @property
    def remaining(self) -> Usage:
        return Usage(
            max(0, self.limits.withdrawal_daily - self.used.withdrawal_daily),
            max(0, self.limits.withdrawal_30d - self.used.withdrawal_30d),
        )

    @property
    def allowance(self) -> int:
        """How much more the wallet may withdraw now: the smaller of the two remaining amounts."""
        return min(self.remaining.withdrawal_daily, self.remaining.withdrawal_30d)


def account_limits(
    session: Session, settings: Settings, wallet: str, now_ms: int, book: PriceBook | None = None
) -> AccountLimits:
    """The limits of `wallet` (EIP-55): its level's, with its overrides, and its usage. UNAVAILABLE while no
    market lists the reference token (its decimals are unknown)."""
    reference = (book or store.stored_price_book(session, settings)).reference
    if reference.decimals is None:
        raise HdexError(
            ErrorCode.UNAVAILABLE,
            f"no market lists the limits' reference token {reference.symbol} (HDEX_LIMITS_REFERENCE_SYMBOL)",
        )
    level, overrides = counted_limits(session, settings, wallet)
    above = next_level(level)
    return AccountLimits(
        address=wallet,
        level=level,
        reference=reference,
        limits=overrides.applied_to(tier_limits(settings, level, reference.decimals)),
        used=store.usage(session, wallet, now_ms),
        overridden=overrides.overridden,
        next_level=None if above is None else (above, tier_limits(settings, above, reference.decimals)),
    )


def counted_limits(session: Session, settings: Settings, wallet: str) -> tuple[int, Overrides]:
    """The wallet's level and the overrides that count: level 0 and none while its declared country is restricted
    (staff's overrides were given for the level it held; `backend.accounts.levels.standing`)."""
    held = standing(session, wallet, frozenset(settings.kyc_restricted_countries))
    return held.level, NO_OVERRIDES if held.restricted else store.load_overrides(session, wallet)


def check_withdrawal(
    session: Session,
    settings: Settings,
    wallet: str,
    token: str,
    amount: int,
    now_ms: int,
    book: PriceBook | None = None,
) -> int:
    """The reference value of withdrawing `amount` of `token` at the prices of `book` (default: the stored
    ones), or WITHDRAWAL_LIMIT_EXCEEDED (its message says the allowance left) if it would pass the wallet's
    daily or 30-day limit, or cannot be valued."""
    if book is None:
        book = store.stored_price_book(session, settings)
    limits = account_limits(session, settings, wallet, now_ms, book)
    symbol, decimals = limits.reference.symbol, limits.reference.decimals
    assert decimals is not None  # account_limits refuses an unlisted reference
    left = f"{human(limits.allowance, decimals)} {symbol}"
    value = book.value(token, amount)
    if value is None:
        raise HdexError(
            ErrorCode.WITHDRAWAL_LIMIT_EXCEEDED,
            f"{book.name(token)} has no price in {symbol} (no last trade price, no fixed price), so this withdrawal "
            f"cannot be counted against your limits; your remaining allowance is {left}",
            "withdrawal.token",
        )
    if value > limits.allowance:
        raise HdexError(
            ErrorCode.WITHDRAWAL_LIMIT_EXCEEDED,
            f"this withdrawal is worth {human(value, decimals)} {symbol}; your remaining allowance is {left} "
            f"(level {limits.level}: {human(limits.limits.withdrawal_daily, decimals)} {symbol} a day, "
            f"{human(limits.limits.withdrawal_30d, decimals)} {symbol} in 30 days): withdraw less, or raise your "
            "KYC level",
            "withdrawal.amount",
        )
    return value


def charge_withdrawal(
    session: Session,
    settings: Settings,
    request_hash: str,
    wallet: str,
    token: str,
    amount: int,
    now_ms: int,
    book: PriceBook | None = None,
) -> None:
    """Check the withdrawal request `request_hash` (already added to the session) against the wallet's
    limits under its lock, and count it: two requests of one wallet never both pass on the same usage.
    `book`: the prices of an earlier check of the same request (only usage needs the lock), else the stored ones."""
    session.flush()  # the request row first: its valuation refers to it
    lock_wallet(session, "withdrawal", wallet)
    value = check_withdrawal(session, settings, wallet, token, amount, now_ms, book)
    store.record_valuation(session, request_hash, wallet, value, now_ms)


def override_limits(
    session: Session,
    settings: Settings,
    wallet: str,
    overrides: Overrides,
    *,
    reason: str,
    actor: str,
    ip: str | None,
    now_ms: int,
) -> AccountLimits:
    """Make `overrides` the wallet's (a None limit goes back to the tier's) and audit-log "limits.override"
    with the overrides before and after; returns the limits now."""
    before = store.load_overrides(session, wallet)
    store.save_overrides(session, wallet, overrides, reason, actor, now_ms)
    record_action(
        session,
        actor=actor,
        action="limits.override",
        target=wallet,
        before=_override_json(before),
        after={**_override_json(overrides), "reason": reason},
        ip=ip,
    )
    return account_limits(session, settings, wallet, now_ms)


def _override_json(overrides: Overrides) -> dict[str, str | None]:
    return overrides_json(asdict(overrides))


def order_notional(book: PriceBook, base: str, quote: str, base_amount: int, price: int) -> int | None:
    """An order's notional in reference base units: the larger of its two legs valued (its quote amount at
    `price`, the highest it can trade at; its base amount), as far as they can be valued; None if neither can."""
    quote_leg = book.value(quote, ceil_div(base_amount * price, PRICE_SCALE))
    base_leg = book.value(base, base_amount)
    if quote_leg is None or base_leg is None:
        return base_leg if quote_leg is None else quote_leg
    return max(quote_leg, base_leg)
