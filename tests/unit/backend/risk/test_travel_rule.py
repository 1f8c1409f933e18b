"""The travel-rule validator: complete natural and legal persons come back normalised; each missing,
malformed or unknown field is refused as TRAVEL_RULE_INVALID naming its path; LEIs carry ISO 17442 check
digits; the account numbers are the signed withdrawal's wallet and recipient."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from backend.errors import ErrorCode, HdexError
from backend.risk.travel_rule import lei_is_valid, requires_travel_rule, validate_travel_rule

WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
RECIPIENT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"
TODAY = date(2026, 12, 2)
GLEIF_LEI = "506700GE1G29325QX363"  # GLEIF's own LEI, as registered
DEUTSCHE_BANK_LEI = "7LTWFZYICNSX8D621K86"


def natural() -> dict[str, Any]:
    return {
        "originator": {
            "naturalPerson": {
                "name": {"primaryIdentifier": " Lovelace ", "secondaryIdentifier": "Ada"},
                "geographicAddress": {
                    "streetName": "St James's Square", "buildingNumber": "12", "postCode": "SW1Y 4JH",
                    "townName": "London", "country": "gb",
                },
            }
        },
        "beneficiary": {
            "naturalPerson": {"name": {"primaryIdentifier": "Babbage", "secondaryIdentifier": "Charles"}},
            "accountNumber": RECIPIENT.lower(),
        },
    }  # fmt: skip


def legal() -> dict[str, Any]:
    return {
        "originator": {
            "legalPerson": {"name": "Analytical Engines Ltd", "lei": GLEIF_LEI.lower(), "countryOfRegistration": "GB"},
            "accountNumber": WALLET.lower(),
        },
        "beneficiary": {
            "legalPerson": {"name": "Difference Engines AG", "lei": DEUTSCHE_BANK_LEI},
            "accountNumber": RECIPIENT,
            "vasp": {"name": "Example Custody GmbH", "lei": DEUTSCHE_BANK_LEI},
        },
    }


def validate(data: object) -> Any:
    return validate_travel_rule(data, wallet=WALLET, recipient=RECIPIENT, today=TODAY)


def refusal(data: object) -> tuple[ErrorCode, str | None]:
    with pytest.raises(HdexError) as caught:
        validate(data)
    return caught.value.code, caught.value.field


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """`base` with the field at dotted `path` set to `value` (`...` removes it)."""
    data = copy.deepcopy(base)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def test_a_natural_person_originator_with_an_address_comes_back_trimmed_and_upper_cased() -> None:
    rule = validate(natural())
    assert rule.originator == {
        "naturalPerson": {
            "name": {"primaryIdentifier": "Lovelace", "secondaryIdentifier": "Ada"},
            "geographicAddress": {
                "streetName": "St James's Square", "buildingNumber": "12", "postCode": "SW1Y 4JH",
                "townName": "London", "country": "GB",
            },
        },
        "accountNumber": WALLET,  # the wallet by default
    }  # fmt: skip
    assert rule.beneficiary == {
        "naturalPerson": {"name": {"primaryIdentifier": "Babbage", "secondaryIdentifier": "Charles"}},
        "accountNumber": RECIPIENT,  # as the withdrawal names it (EIP-55), whatever case was sent
    }


@pytest.mark.parametrize(
    "identification",
    [
        {"nationalIdentification": {"nationalIdentifier": "C01X00T47", "nationalIdentifierType": "ccpt",
                                    "countryOfIssue": "DE"}},
        {"customerIdentification": "HDEX-00042"},
        {"dateAndPlaceOfBirth": {"dateOfBirth": "1985-12-10", "placeOfBirth": "London"}},
    ],
)  # fmt: skip
def test_a_natural_person_originator_may_be_identified_by_any_one_of_the_other_ivms101_fields(
    identification: dict[str, Any],
) -> None:
    person = {"name": {"primaryIdentifier": "Lovelace"}, **identification}
    rule = validate(changed(natural(), "originator.naturalPerson", person))
    assert set(rule.originator["naturalPerson"]) == {"name", *identification}
    if "nationalIdentification" in identification:
        assert rule.originator["naturalPerson"]["nationalIdentification"]["nationalIdentifierType"] == "CCPT"


def test_a_legal_person_originator_and_beneficiary_with_a_vasp_are_accepted() -> None:
    rule = validate(legal())
    assert rule.originator == {
        "legalPerson": {"name": "Analytical Engines Ltd", "lei": GLEIF_LEI, "countryOfRegistration": "GB"},
        "accountNumber": WALLET,
    }
    assert rule.beneficiary["vasp"] == {"name": "Example Custody GmbH", "lei": DEUTSCHE_BANK_LEI}
    assert rule.beneficiary["legalPerson"] == {"name": "Difference Engines AG", "lei": DEUTSCHE_BANK_LEI}


P = "travelRule."
NP = "originator.naturalPerson."


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (NP + "name.primaryIdentifier", ...),
        (NP + "name.primaryIdentifier", "   "),
        (NP + "name.primaryIdentifier", 42),
        (NP + "name.primaryIdentifier", "x" * 101),
        (NP + "name.secondaryIdentifier", "Ada\nDROP"),
        (NP + "name", ...),
        (NP + "name", "Ada Lovelace"),
        (NP + "geographicAddress.streetName", ...),
        (NP + "geographicAddress.townName", ""),
        (NP + "geographicAddress.country", "UK"),  # not an ISO 3166-1 code (GB is)
        (NP + "geographicAddress.country", "GBR"),
        (NP + "geographicAddress.postCode", "1" * 17),
        (NP + "geographicAddress.planet", "Earth"),
        (NP + "nickname", "Ada"),
        ("originator.accountNumber", "0x1234"),
        ("beneficiary.accountNumber", ...),
        ("beneficiary.accountNumber", "not an address"),
        ("beneficiary.naturalPerson.name", ...),
        ("beneficiary.vasp", {"lei": GLEIF_LEI}),
        ("beneficiary.iban", "DE89370400440532013000"),
        ("originator", ...),
        ("beneficiary", "Babbage"),
    ],
)
def test_each_missing_malformed_or_unknown_field_is_refused_with_its_path(path: str, value: Any) -> None:
    data = changed(natural(), path, value)
    if path == "beneficiary.vasp":
        path += ".name"
    assert refusal(data) == (ErrorCode.TRAVEL_RULE_INVALID, P + path)


@pytest.mark.parametrize(
    ("path", "value", "at"),
    [
        ("nationalIdentification", {"nationalIdentifier": "C01X00T47", "nationalIdentifierType": "PASSPORT",
                                    "countryOfIssue": "DE"}, "nationalIdentification.nationalIdentifierType"),
        ("nationalIdentification", {"nationalIdentifier": "C01X00T47", "nationalIdentifierType": "CCPT"},
         "nationalIdentification.countryOfIssue"),
        ("dateAndPlaceOfBirth", {"dateOfBirth": "10/12/1815", "placeOfBirth": "London"},
         "dateAndPlaceOfBirth.dateOfBirth"),
        ("dateAndPlaceOfBirth", {"dateOfBirth": "1815-02-30", "placeOfBirth": "London"},
         "dateAndPlaceOfBirth.dateOfBirth"),
        ("dateAndPlaceOfBirth", {"dateOfBirth": "2026-12-02", "placeOfBirth": "London"},  # today: not yet born
         "dateAndPlaceOfBirth.dateOfBirth"),
        ("dateAndPlaceOfBirth", {"dateOfBirth": "1815-12-10", "placeOfBirth": "London"},  # no living customer
         "dateAndPlaceOfBirth.dateOfBirth"),
        ("dateAndPlaceOfBirth", {"dateOfBirth": "1990-01-01"}, "dateAndPlaceOfBirth.placeOfBirth"),
        ("customerIdentification", "", "customerIdentification"),
    ],
)  # fmt: skip
def test_malformed_identification_is_refused_with_the_path_of_the_field_at_fault(
    path: str, value: Any, at: str
) -> None:
    person = {"name": {"primaryIdentifier": "Lovelace"}, path: value}
    data = changed(natural(), "originator.naturalPerson", person)
    assert refusal(data) == (ErrorCode.TRAVEL_RULE_INVALID, P + NP + at)


def test_a_natural_person_originator_with_only_a_name_is_refused_but_a_beneficiary_needs_only_a_name() -> None:
    data = changed(natural(), NP + "geographicAddress", ...)
    assert refusal(data) == (ErrorCode.TRAVEL_RULE_INVALID, P + "originator.naturalPerson")
    assert validate(natural()).beneficiary["naturalPerson"] == {
        "name": {"primaryIdentifier": "Babbage", "secondaryIdentifier": "Charles"}
    }


def test_an_originator_is_exactly_one_natural_or_legal_person() -> None:
    both = changed(natural(), "originator.legalPerson", legal()["originator"]["legalPerson"])
    assert refusal(both) == (ErrorCode.TRAVEL_RULE_INVALID, P + "originator.naturalPerson")
    neither = changed(natural(), "originator.naturalPerson", ...)
    assert refusal(neither) == (ErrorCode.TRAVEL_RULE_INVALID, P + "originator.naturalPerson")


def test_a_legal_person_originator_needs_its_country_of_registration_a_beneficiary_does_not() -> None:
    data = changed(legal(), "originator.legalPerson.countryOfRegistration", ...)
    assert refusal(data) == (ErrorCode.TRAVEL_RULE_INVALID, P + "originator.legalPerson.countryOfRegistration")
    assert "countryOfRegistration" not in validate(legal()).beneficiary["legalPerson"]


@pytest.mark.parametrize("path", ["originator.legalPerson.lei", "beneficiary.legalPerson.lei", "beneficiary.vasp.lei"])
@pytest.mark.parametrize(
    "lei",
    [
        "506700GE1G29325QX364",  # last check digit off by one
        "506700GE1G29325QX336",  # the check digits swapped
        "606700GE1G29325QX363",  # one character of the body changed
        "506700GE1G29325QX36",  # 19 characters
        "506700GE1G29325QX3A3",  # a letter among the check digits
        "506700GE1G29325QX-63",
    ],
)
def test_an_lei_with_wrong_check_digits_or_form_is_refused(path: str, lei: str) -> None:
    assert refusal(changed(legal(), path, lei)) == (ErrorCode.TRAVEL_RULE_INVALID, P + path)


def test_lei_check_digits_follow_iso_7064_mod_97_10() -> None:
    assert lei_is_valid(GLEIF_LEI) and lei_is_valid(DEUTSCHE_BANK_LEI)
    body = "529900T8BM49AURSDO"
    check = 98 - int("".join(str(int(c, 36)) for c in body + "00")) % 97
    assert lei_is_valid(f"{body}{check:02d}")
    assert [lei_is_valid(f"{body}{n:02d}") for n in range(100)].count(True) == 1


def test_the_beneficiary_account_must_be_the_withdrawals_recipient() -> None:
    data = changed(natural(), "beneficiary.accountNumber", WALLET)
    code, field = refusal(data)
    assert (code, field) == (ErrorCode.TRAVEL_RULE_INVALID, P + "beneficiary.accountNumber")
    with pytest.raises(HdexError, match=RECIPIENT):
        validate(data)


def test_the_originator_account_must_be_the_withdrawing_wallet() -> None:
    data = changed(natural(), "originator.accountNumber", RECIPIENT)
    assert refusal(data) == (ErrorCode.TRAVEL_RULE_INVALID, P + "originator.accountNumber")
    assert (
        validate(changed(natural(), "originator.accountNumber", WALLET.upper().replace("0X", "0x"))).originator[
            "accountNumber"
        ]
        == WALLET
    )


@pytest.mark.parametrize("data", [None, [], "travel rule", {"originator": {}, "beneficiary": {}, "extra": 1}])
def test_anything_but_the_travel_rule_object_is_refused_at_its_root_or_first_bad_field(data: object) -> None:
    code, field = refusal(data)
    assert code is ErrorCode.TRAVEL_RULE_INVALID and field is not None and field.startswith("travelRule")


def test_the_threshold_is_inclusive() -> None:
    assert requires_travel_rule(1_000_000_000, 1_000_000_000)
    assert not requires_travel_rule(999_999_999, 1_000_000_000)
