"""A wallet's KYC level (0 wallet only, 1 identity data, 2 documents): read by the limits, written only
here, each change with its audit-log entry in the same unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.profiles import counted_level, ensure_profile, normalise_address, restricted_by_country
from backend.audit_log import record_action
from backend.db.models import AccountProfile, LimitOverride
from backend.errors import ErrorCode, HdexError

LEVELS = (0, 1, 2)
OVERRIDDEN_LIMITS = ("withdrawal_daily", "withdrawal_30d", "max_order_notional")


@dataclass(frozen=True, slots=True)
class Standing:
    """What the limits count of a wallet: its level (`counted_level`) and whether its country is restricted
    (`restricted_by_country`; then no staff override counts either: they were given for the level it held)."""

    level: int
    restricted: bool


def current_level(session: Session, address: str) -> int:
    """The wallet's KYC level as staff granted it; 0 for a wallet without a profile. `address` in any case.
    What the limits count is `standing`."""
    level = session.scalar(select(AccountProfile.level).where(AccountProfile.address == normalise_address(address)))
    return 0 if level is None else level


def standing(session: Session, address: str, restricted_countries: frozenset[str]) -> Standing:
    """The wallet's level and restriction as the limits count them; level 0 for a wallet without a profile."""
    row = session.get(AccountProfile, normalise_address(address))
    if row is None:
        return Standing(0, False)
    return Standing(counted_level(row, restricted_countries), restricted_by_country(row, restricted_countries))


def set_level(
    session: Session,
    address: str,
    level: int,
    *,
    actor: str,
    now_ms: int,
    reason: str | None = None,
    ip: str | None = None,
) -> int:
    """Make `level` the wallet's level (creating its profile if need be) and audit-log "account.level"
    with before and after; returns the level before. A level that does not change writes nothing.
    `actor` is how the audit log names who decided ("staff:<email>", "vendor", "wallet:<address>").
    The caller commits."""
    if level not in LEVELS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a KYC level is one of {LEVELS}", "level")
    profile = ensure_profile(session, address, now_ms)
    before = profile.level
    if before != level:
        profile.level = level
        record_action(
            session,
            actor=actor,
            action="account.level",
            target=profile.address,
            before={"level": before},
            after={"level": level, "reason": reason},
            ip=ip,
        )
    return before


def drop_to_level_0(session: Session, address: str, *, actor: str, now_ms: int, reason: str) -> None:
    """Level 0 for the wallet, and the end of its staff limit overrides (given for the level it held), each
    audit-logged ("account.level", "limits.override" as staff's changes are). Here, not in backend.limits: the
    limits sit above the accounts and read their level. The caller commits; the API makes the engine host's order
    guard forget what it kept of the wallet."""
    set_level(session, address, 0, actor=actor, now_ms=now_ms, reason=reason)
    row = session.get(LimitOverride, normalise_address(address))
    if row is None:
        return
    before = overrides_json({name: getattr(row, name) for name in OVERRIDDEN_LIMITS})
    session.delete(row)
    record_action(
        session,
        actor=actor,
        action="limits.override",
        target=row.wallet,
        before=before,
        after={**overrides_json(dict.fromkeys(OVERRIDDEN_LIMITS)), "reason": reason},
    )


def overrides_json(values: Mapping[str, int | None]) -> dict[str, str | None]:
    """Overridden limits as the audit log records them: amounts as decimal strings, None for the tier's."""
    return {name: None if value is None else str(value) for name, value in values.items()}
