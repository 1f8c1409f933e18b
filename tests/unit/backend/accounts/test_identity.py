"""Level-1 identity data: kept as typed (markup included), normalised, refused with the field named."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from backend.accounts.countries import ISO_3166_ALPHA2, normal_country
from backend.accounts.identity import IdentityData, PostalAddress, check_identity
from backend.errors import HdexError

TODAY = dt.date(2026, 12, 10)
ADA = IdentityData("  Ada Lovelace ", "1990-12-10", "gb", PostalAddress("12 St James's Sq", "London", "SW1Y 4JH"))


def _field(data: IdentityData) -> str | None:
    with pytest.raises(HdexError) as refused:
        check_identity(data, TODAY)
    assert refused.value.code == "INVALID_FIELD"
    return refused.value.field


def test_valid_data_is_trimmed_and_its_country_upper_cased() -> None:
    checked = check_identity(ADA, TODAY)
    assert checked.legal_name == "Ada Lovelace" and checked.country == "GB"
    assert json.loads(checked.to_json()) == {
        "legalName": "Ada Lovelace",
        "dateOfBirth": "1990-12-10",
        "country": "GB",
        "address": {"line1": "12 St James's Sq", "line2": None, "city": "London", "postalCode": "SW1Y 4JH",
                    "region": None},
    }  # fmt: skip


def test_markup_is_data_and_stays_exactly_as_typed() -> None:
    markup = "<script>alert('x')</script>&amp;"
    checked = check_identity(IdentityData(markup, ADA.date_of_birth, "GB", ADA.address), TODAY)
    assert checked.legal_name == markup and json.loads(checked.to_json())["legalName"] == markup


def test_an_adult_is_18_on_the_birthday_and_a_leap_day_birthday_falls_on_1_march() -> None:
    assert check_identity(IdentityData("A", "2008-12-10", "GB", ADA.address), TODAY).date_of_birth == "2008-12-10"
    assert _field(IdentityData("A", "2008-12-11", "GB", ADA.address)) == "dateOfBirth"
    born_on_leap_day = IdentityData("A", "2008-02-29", "GB", ADA.address)
    assert check_identity(born_on_leap_day, dt.date(2026, 3, 1)).date_of_birth == "2008-02-29"
    with pytest.raises(HdexError):
        check_identity(born_on_leap_day, dt.date(2026, 2, 28))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (IdentityData("", "1990-01-01", "GB", ADA.address), "legalName"),
        (IdentityData("x" * 201, "1990-01-01", "GB", ADA.address), "legalName"),
        (IdentityData("A\x00B", "1990-01-01", "GB", ADA.address), "legalName"),
        (IdentityData("A\u202eB", "1990-01-01", "GB", ADA.address), "legalName"),
        (IdentityData("A", "1990-1-1", "GB", ADA.address), "dateOfBirth"),
        (IdentityData("A", "1899-12-31", "GB", ADA.address), "dateOfBirth"),
        (IdentityData("A", "9999-01-01", "GB", ADA.address), "dateOfBirth"),  # 18 years on is past year 9999
        (IdentityData("A", "9982-02-28", "GB", ADA.address), "dateOfBirth"),
        (IdentityData("A", "1990-01-01", "UK", ADA.address), "country"),
        (IdentityData("A", "1990-01-01", "GB", PostalAddress(" ", "London", "1")), "address.line1"),
        (IdentityData("A", "1990-01-01", "GB", PostalAddress("1", "London", "x" * 21)), "address.postalCode"),
        (IdentityData("A", "1990-01-01", "GB", PostalAddress("1", "London", "1", region="\x07")), "address.region"),
    ],
)
def test_data_breaking_a_rule_is_refused_with_the_field_named(data: IdentityData, field: str) -> None:
    assert _field(data) == field


def test_the_country_list_is_iso_3166_alpha_2() -> None:
    assert len(ISO_3166_ALPHA2) == 249 and {"DE", "US", "GB", "KP", "SS", "XK"} & ISO_3166_ALPHA2 == {
        "DE", "US", "GB", "KP", "SS",
    }  # fmt: skip
    assert normal_country(" de ", "country") == "DE"
    with pytest.raises(HdexError):
        normal_country("EU", "country")
