"""Wallet profiles: made on first use, read and changed only by their own wallet's session.

A profile holds what the wallet user tells us (e-mail, country, notification choices, the language of its e-mails)
and the KYC level
staff granted. Everything here runs inside the caller's unit of work; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.address import is_hex_address, to_checksum_address
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.accounts.countries import is_restricted, normal_country
from backend.accounts.languages import DEFAULT_LANGUAGE, normal_language
from backend.db.locks import get_for_change
from backend.db.models import AccountProfile
from backend.errors import ErrorCode, HdexError

NOTIFICATION_KINDS = ("fills", "withdrawals", "news")
DEFAULT_NOTIFICATIONS = {"fills": True, "withdrawals": True, "news": False}
PERSONAL_COLUMNS = (
    "email", "email_verified", "country", "notify_fills", "notify_withdrawals", "notify_news", "language",
)  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """A wallet user's profile as the wallet (and staff) see it."""

    address: str
    email: str | None
    email_verified: bool
    country: str | None
    notifications: dict[str, bool]
    level: int  # the level that counts (`counted_level`)
    country_restricted: bool  # the declared country is restricted
    created_at_ms: int
    language: str = DEFAULT_LANGUAGE  # of its e-mails (`languages.LANGUAGES`)
    # the exchange's restricted countries it was judged by: the dApp warns before one of them is declared
    restricted_countries: frozenset[str] = frozenset()
    # the country of its approved identity data is restricted: level 0 too, whatever country it declares
    identity_country_restricted: bool = False


def normalise_address(address: str) -> str:
    """`address` in EIP-55 form, or INVALID_FIELD."""
    if not isinstance(address, str) or not is_hex_address(address):
        raise HdexError(ErrorCode.INVALID_FIELD, "not a 0x-prefixed 20-byte address", "address")
    return to_checksum_address(address)


def find_profile(session: Session, address: str) -> AccountProfile | None:
    """The wallet's profile row, if it has one."""
    return session.get(AccountProfile, normalise_address(address))


def ensure_profile(session: Session, address: str, now_ms: int) -> AccountProfile:
    """The wallet's profile row, made (level 0, default notifications) if it has none yet. The dApp reads
    the profile and the KYC status at once on a first visit: the insert yields to a concurrent one."""
    address = normalise_address(address)
    profile = session.get(AccountProfile, address)
    if profile is None:
        blank = AccountProfile()
        blank_personal_data(blank)
        values = {column: getattr(blank, column) for column in PERSONAL_COLUMNS}
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(AccountProfile)
            .values(address=address, created_at_ms=now_ms, level=0, **values)
            .on_conflict_do_nothing(index_elements=["address"])
        )
        profile = session.get(AccountProfile, address)
        assert profile is not None
    return profile


def profile_for_change(session: Session, address: str, now_ms: int) -> AccountProfile:
    """The wallet's profile (made if need be), locked until the unit of work ends and read as its last writer left it
    (`get_for_change`: a write first, so SQLite's write lock too). Every change that checks the profile or the
    wallet's KYC submissions before it writes takes it, the profile before any submission, so two such changes run
    one after the other: else a link checked against the old address verified the new one, two submissions both
    found nothing pending, and a decision crossed a deletion request."""
    address = normalise_address(address)
    profile = get_for_change(session, AccountProfile, address)
    if profile is None:  # a wallet's first change: its profile is made, then locked as any other
        ensure_profile(session, address, now_ms)
        profile = get_for_change(session, AccountProfile, address)
        assert profile is not None  # made above
    return profile


def blank_personal_data(profile: AccountProfile) -> None:
    """Forget what the user told us (e-mail, country, choices, language); the level and the KYC records stay."""
    profile.email = None
    profile.email_verified = False
    profile.country = None
    profile.notify_fills = DEFAULT_NOTIFICATIONS["fills"]
    profile.notify_withdrawals = DEFAULT_NOTIFICATIONS["withdrawals"]
    profile.notify_news = DEFAULT_NOTIFICATIONS["news"]
    profile.language = DEFAULT_LANGUAGE


def set_language(profile: AccountProfile, language: str) -> None:
    """Record the language of the wallet's e-mails (`languages.LANGUAGES`), or INVALID_FIELD."""
    profile.language = normal_language(language)


def set_country(profile: AccountProfile, country: str) -> None:
    """Record the declared country of residence (ISO 3166-1 alpha-2, any case), or INVALID_FIELD."""
    profile.country = normal_country(country, "country")


def set_notifications(profile: AccountProfile, choices: dict[str, bool]) -> None:
    """Apply the given notification choices; kinds not named keep their value."""
    for kind, wanted in choices.items():
        if kind not in NOTIFICATION_KINDS:
            raise HdexError(ErrorCode.INVALID_FIELD, f"notifications are {', '.join(NOTIFICATION_KINDS)}", kind)
        setattr(profile, f"notify_{kind}", wanted)


def restricted_by_country(row: AccountProfile, restricted_countries: frozenset[str]) -> bool:
    """Whether the wallet's declared country, or the country of its approved identity data, is restricted. Both:
    a wallet whose identity gives a country restricted since its approval must not keep its level by declaring
    another."""
    return is_restricted(row.country, restricted_countries) or is_restricted(row.identity_country, restricted_countries)


def counted_level(row: AccountProfile, restricted_countries: frozenset[str]) -> int:
    """The level that counts: the one staff granted, but 0 while the wallet's country is restricted
    (`restricted_by_country`). The granted level stays stored: a country taken off HDEX_KYC_RESTRICTED_COUNTRIES gives
    it back."""
    return 0 if restricted_by_country(row, restricted_countries) else row.level


def profile_of(row: AccountProfile, restricted_countries: frozenset[str]) -> Profile:
    """The view of a profile row."""
    return Profile(
        address=row.address,
        email=row.email,
        email_verified=row.email_verified,
        country=row.country,
        notifications={kind: getattr(row, f"notify_{kind}") for kind in NOTIFICATION_KINDS},
        level=counted_level(row, restricted_countries),
        country_restricted=is_restricted(row.country, restricted_countries),
        identity_country_restricted=is_restricted(row.identity_country, restricted_countries),
        created_at_ms=row.created_at_ms,
        language=row.language,
        restricted_countries=restricted_countries,
    )
