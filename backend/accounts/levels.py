"""A wallet's KYC level (0 wallet only, 1 identity data, 2 documents): read by the limits, written only
here, each change with its audit-log entry in the same unit of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.profiles import ensure_profile, normalise_address
from backend.audit_log import record_action
from backend.db.models import AccountProfile
from backend.errors import ErrorCode, HdexError

LEVELS = (0, 1, 2)


def current_level(session: Session, address: str) -> int:
    """The wallet's KYC level; 0 for a wallet without a profile. `address` in any case."""
    level = session.scalar(select(AccountProfile.level).where(AccountProfile.address == normalise_address(address)))
    return 0 if level is None else level


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
