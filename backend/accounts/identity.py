"""Level-1 identity data: what a wallet user declares (legal name, date of birth, country, address) and
the rules it must meet. Text is kept exactly as typed (HTML and all): it is data, shown as text by
whoever displays it; only control characters and bidirectional overrides, which no name or address needs,
are refused."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from backend.accounts.countries import normal_country
from backend.errors import ErrorCode, HdexError

MIN_AGE_YEARS = 18
OLDEST_BIRTH = dt.date(1900, 1, 1)
# Bidirectional overrides and isolates reorder what a reviewer sees ("Trojan Source"); no name needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class PostalAddress:
    line1: str
    city: str
    postal_code: str
    line2: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class IdentityData:
    """Level-1 data as submitted; `check_identity` normalises and validates it."""

    legal_name: str
    date_of_birth: str  # YYYY-MM-DD
    country: str
    address: PostalAddress

    def to_json(self) -> str:
        """The stored form: JSON text with the wire's camelCase keys (as staff and the export show it)."""
        address = self.address
        value = {
            "legalName": self.legal_name,
            "dateOfBirth": self.date_of_birth,
            "country": self.country,
            "address": {
                "line1": address.line1,
                "line2": address.line2,
                "city": address.city,
                "postalCode": address.postal_code,
                "region": address.region,
            },
        }
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> dict[str, Any]:
        """The stored form back as a JSON value."""
        value: dict[str, Any] = json.loads(text)
        return value


# the longest value of each text field
LIMITS = {"legalName": 200, "line1": 200, "line2": 200, "city": 100, "postalCode": 20, "region": 100}


def check_identity(data: IdentityData, today: dt.date) -> IdentityData:
    """`data` trimmed, its country upper-cased; INVALID_FIELD naming the first field that breaks a rule."""
    address = data.address
    return IdentityData(
        legal_name=_text(data.legal_name, "legalName"),
        date_of_birth=_birth_date(data.date_of_birth, today),
        country=normal_country(data.country, "country"),
        address=PostalAddress(
            line1=_text(address.line1, "line1"),
            city=_text(address.city, "city"),
            postal_code=_text(address.postal_code, "postalCode"),
            line2=None if address.line2 is None else _text(address.line2, "line2", optional=True),
            region=None if address.region is None else _text(address.region, "region", optional=True),
        ),
    )


def _text(value: str, name: str, optional: bool = False) -> str:
    field = name if name == "legalName" else f"address.{name}"
    value = value.strip()
    if not value and not optional:
        raise HdexError(ErrorCode.INVALID_FIELD, "must not be empty", field)
    if len(value) > LIMITS[name]:
        raise HdexError(ErrorCode.INVALID_FIELD, f"at most {LIMITS[name]} characters", field)
    if any(unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS for char in value):
        raise HdexError(ErrorCode.INVALID_FIELD, "control characters are not allowed", field)
    return value


def _birth_date(value: str, today: dt.date) -> str:
    try:
        born = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        born = None
    if born is None:
        raise HdexError(ErrorCode.INVALID_FIELD, "a date of birth is YYYY-MM-DD", "dateOfBirth")
    adult_on = _add_years(born, MIN_AGE_YEARS)
    if born < OLDEST_BIRTH or adult_on > today:
        raise HdexError(ErrorCode.INVALID_FIELD, f"you must be {MIN_AGE_YEARS} or older", "dateOfBirth")
    return born.isoformat()


def _add_years(day: dt.date, years: int) -> dt.date:
    if day.year + years > dt.MAXYEAR:  # no such date: later than any today
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the birthday falls on 1 March in common years
        return dt.date(day.year + years, 3, 1)
