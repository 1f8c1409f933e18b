"""The back office's reads of users: find wallets by address or e-mail, and a wallet's screening decisions.
Staff read; nothing here writes (a wallet without a profile is shown as level 0, not given one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.accounts.profiles import DEFAULT_NOTIFICATIONS, Profile, find_profile, profile_of
from backend.db.models import AccountProfile, ScreeningDecision
from backend.trading.rules.accounts import checksum

MAX_USERS = 50
MAX_QUERY_CHARS = 254


@dataclass(frozen=True, slots=True)
class UserSummary:
    """One wallet user as a lookup lists them; `created_at_ms` None for a wallet without a profile."""

    address: str
    email: str | None
    level: int
    country: str | None
    created_at_ms: int | None


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """One screening decision about an address: clear, blocked or error, and why."""

    address: str
    decision: str
    reason: str | None
    context: str
    at_ms: int


def _summary(row: AccountProfile) -> UserSummary:
    return UserSummary(row.address, row.email, row.level, row.country, row.created_at_ms)


def _is_address(text: str) -> bool:
    return len(text) == 42 and text[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in text[2:])


def find_users(session: Session, query: str) -> list[UserSummary]:
    """A full wallet address finds that wallet (with or without a profile); anything else finds the
    profiles whose e-mail contains it (any case), at most MAX_USERS, by e-mail."""
    text = query.strip()
    if _is_address(text):
        row = find_profile(session, text)
        return [_summary(row) if row is not None else UserSummary(checksum(text), None, 0, None, None)]
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.scalars(
        select(AccountProfile)
        .where(func.lower(AccountProfile.email).like(pattern, escape="\\"))
        .order_by(AccountProfile.email)
        .limit(MAX_USERS)
    )
    return [_summary(row) for row in rows]


def screening_decisions(session: Session, address: str, limit: int = 50) -> list[ScreeningRecord]:
    """The latest decisions about `address`, newest first."""
    rows = session.scalars(
        select(ScreeningDecision)
        .where(ScreeningDecision.address == address.lower())
        .order_by(ScreeningDecision.id.desc())
        .limit(limit)
    )
    return [
        ScreeningRecord(
            checksum(row.address),
            row.result,
            "; ".join(str(hit.get("reason")) for hit in row.hits) or None,
            row.context,
            int(_utc(row).timestamp() * 1000),
        )
        for row in rows
    ]


def _utc(row: ScreeningDecision) -> datetime:
    # SQLite's CURRENT_TIMESTAMP comes back without a zone, and is UTC
    return row.created_at if row.created_at.tzinfo is not None else row.created_at.replace(tzinfo=UTC)


def user_profile(session: Session, address: str, restricted_countries: frozenset[str]) -> Profile:
    """The wallet's profile as staff see it; a wallet without one shows as a blank level-0 profile."""
    row = find_profile(session, address)
    if row is not None:
        return profile_of(row, restricted_countries)
    return Profile(checksum(address), None, False, None, dict(DEFAULT_NOTIFICATIONS), 0, False, 0,
                   restricted_countries=restricted_countries)  # fmt: skip
