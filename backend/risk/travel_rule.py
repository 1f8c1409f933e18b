"""Travel-rule data (FATF Recommendation 16) sent with a withdrawal: the IVMS101 fields that apply when a
VASP sends crypto to a wallet, validated and normalised. Pure: no database, no clock but the one passed in.

The request's `travelRule` object (JSON names as in IVMS101, flattened where IVMS101 nests lists):

    originator:
      naturalPerson:                       # or legalPerson, exactly one
        name: {primaryIdentifier, secondaryIdentifier?}    # family name, given names
        # and at least one of:
        geographicAddress: {streetName, buildingNumber?, postCode?, townName, country}
        nationalIdentification: {nationalIdentifier, nationalIdentifierType, countryOfIssue}
        customerIdentification: "..."
        dateAndPlaceOfBirth: {dateOfBirth: "YYYY-MM-DD", placeOfBirth}
        countryOfResidence?: "DE"
      legalPerson: {name, lei?, countryOfRegistration}
      accountNumber?: the withdrawing wallet (the default; any other address is refused)
    beneficiary:
      naturalPerson: {name: {...}, ...the optional fields above}   # or legalPerson: {name, lei?, ...}
      accountNumber: the withdrawal's recipient, exactly
      vasp?: {name, lei?}                  # the beneficiary's VASP, when the recipient is a hosted wallet

Every refusal is TRAVEL_RULE_INVALID with the offending field's path ("travelRule.originator.naturalPerson.
name.primaryIdentifier"). Countries are ISO 3166-1 alpha-2; an LEI (ISO 17442) must carry valid check digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from backend.accounts.countries import ISO_3166_ALPHA2
from backend.errors import ErrorCode, HdexError

ROOT = "travelRule"

# IVMS101 NationalIdentifierTypeCode
NATIONAL_IDENTIFIER_TYPES = frozenset({"ARNU", "CCPT", "RAID", "DRLC", "FIIN", "TXID", "SOCS", "IDCD", "LEIX", "MISC"})
_KINDS = ("naturalPerson", "legalPerson")
# at least one of these identifies a natural-person originator, besides the name
_IDENTIFYING = ("geographicAddress", "nationalIdentification", "customerIdentification", "dateAndPlaceOfBirth")

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class TravelRule:
    """Validated travel-rule data, as stored (`travel_rule_records`) and shown to staff and in the wallet's data
    export; after the wallet's deletion request it is kept for HDEX_TRAVEL_RULE_RETENTION_DAYS, then purged
    (backend.accounts.privacy)."""

    originator: dict[str, Any]
    beneficiary: dict[str, Any]


def requires_travel_rule(value: int, threshold: int) -> bool:
    """Whether a withdrawal worth `value` reference base units must carry travel-rule data."""
    return value >= threshold


def validate_travel_rule(raw: object, *, wallet: str, recipient: str, today: date | None = None) -> TravelRule:
    """The normalised travel-rule data of a withdrawal from `wallet` to `recipient` (both EIP-55), or
    TRAVEL_RULE_INVALID naming the first field that is missing, malformed or unknown. `today` bounds a
    date of birth (default: the local date)."""
    body = _object(raw, ROOT, required=("originator", "beneficiary"), optional=())
    when = today or date.today()
    path = f"{ROOT}.originator"
    fields = _object(body["originator"], path, required=(), optional=(*_KINDS, "accountNumber"))
    originator = _party(fields, path, identified=True, today=when)
    originator["accountNumber"] = _account(
        fields.get("accountNumber", wallet), f"{path}.accountNumber", wallet, "the wallet"
    )
    path = f"{ROOT}.beneficiary"
    fields = _object(body["beneficiary"], path, required=("accountNumber",), optional=(*_KINDS, "vasp"))
    beneficiary = _party(fields, path, identified=False, today=when)
    beneficiary["accountNumber"] = _account(
        fields["accountNumber"], f"{path}.accountNumber", recipient, "the recipient"
    )
    if "vasp" in fields:
        beneficiary["vasp"] = _vasp(fields["vasp"], f"{path}.vasp")
    return TravelRule(originator, beneficiary)


def lei_is_valid(lei: str) -> bool:
    """Whether `lei` is 20 characters (18 alphanumerics, 2 digits) whose ISO 7064 MOD 97-10 check passes."""
    if not _LEI.match(lei):
        return False
    return int("".join(str(int(char, 36)) for char in lei)) % 97 == 1


def _party(body: Mapping[str, Any], path: str, *, identified: bool, today: date) -> dict[str, Any]:
    """The person of an originator or beneficiary `body`: exactly one natural or legal person."""
    kinds = [kind for kind in _KINDS if kind in body]
    if len(kinds) != 1:
        _invalid("give exactly one of naturalPerson or legalPerson", f"{path}.naturalPerson")
    kind = kinds[0]
    if kind == "naturalPerson":
        return {kind: _natural_person(body[kind], f"{path}.{kind}", identified=identified, today=today)}
    return {kind: _legal_person(body[kind], f"{path}.{kind}", country_required=identified)}


def _natural_person(raw: object, path: str, *, identified: bool, today: date) -> dict[str, Any]:
    body = _object(raw, path, required=("name",), optional=(*_IDENTIFYING, "countryOfResidence"))
    if identified and not any(field in body for field in _IDENTIFYING):
        _invalid(
            "besides the name give one of geographicAddress, nationalIdentification, customerIdentification or "
            "dateAndPlaceOfBirth",
            path,
        )
    readers: dict[str, Callable[[object, str], Any]] = {
        "name": _person_name,
        "geographicAddress": _geographic_address,
        "nationalIdentification": _national_identification,
        "customerIdentification": lambda value, where: _text(value, where, 50),
        "dateAndPlaceOfBirth": lambda value, where: _birth(value, where, today),
        "countryOfResidence": _country,
    }
    return {field: readers[field](body[field], f"{path}.{field}") for field in readers if field in body}


def _person_name(raw: object, path: str) -> dict[str, str]:
    body = _object(raw, path, required=("primaryIdentifier",), optional=("secondaryIdentifier",))
    return _texts(body, path, {"primaryIdentifier": 100, "secondaryIdentifier": 100})


def _geographic_address(raw: object, path: str) -> dict[str, str]:
    body = _object(raw, path, required=("streetName", "townName", "country"), optional=("buildingNumber", "postCode"))
    address = _texts(body, path, {"streetName": 70, "buildingNumber": 16, "postCode": 16, "townName": 35})
    address["country"] = _country(body["country"], f"{path}.country")
    return address


def _national_identification(raw: object, path: str) -> dict[str, str]:
    body = _object(raw, path, required=("nationalIdentifier", "nationalIdentifierType", "countryOfIssue"), optional=())
    identification = _texts(body, path, {"nationalIdentifier": 35})
    kind = body["nationalIdentifierType"]
    if not isinstance(kind, str) or kind.strip().upper() not in NATIONAL_IDENTIFIER_TYPES:
        _invalid(
            f"an IVMS101 identifier type: one of {', '.join(sorted(NATIONAL_IDENTIFIER_TYPES))}",
            f"{path}.nationalIdentifierType",
        )
    identification["nationalIdentifierType"] = kind.strip().upper()
    identification["countryOfIssue"] = _country(body["countryOfIssue"], f"{path}.countryOfIssue")
    return identification


def _birth(raw: object, path: str, today: date) -> dict[str, str]:
    body = _object(raw, path, required=("dateOfBirth", "placeOfBirth"), optional=())
    text = body["dateOfBirth"]
    where = f"{path}.dateOfBirth"
    if not isinstance(text, str) or not _DATE.match(text):
        _invalid("a date as YYYY-MM-DD", where)
    try:
        born = date.fromisoformat(text)
    except ValueError:
        _invalid("not a calendar date", where)
    if not _EARLIEST_BIRTH <= born < today:
        _invalid(f"a date of birth between {_EARLIEST_BIRTH.isoformat()} and yesterday", where)
    return {"dateOfBirth": born.isoformat(), "placeOfBirth": _text(body["placeOfBirth"], f"{path}.placeOfBirth", 70)}


def _legal_person(raw: object, path: str, *, country_required: bool) -> dict[str, str]:
    required = ("name", "countryOfRegistration") if country_required else ("name",)
    optional = ("lei",) if country_required else ("lei", "countryOfRegistration")
    body = _object(raw, path, required=required, optional=optional)
    person = _texts(body, path, {"name": 100})
    if "lei" in body:
        person["lei"] = _lei(body["lei"], f"{path}.lei")
    if "countryOfRegistration" in body:
        person["countryOfRegistration"] = _country(body["countryOfRegistration"], f"{path}.countryOfRegistration")
    return person


def _vasp(raw: object, path: str) -> dict[str, str]:
    body = _object(raw, path, required=("name",), optional=("lei",))
    vasp = _texts(body, path, {"name": 100})
    if "lei" in body:
        vasp["lei"] = _lei(body["lei"], f"{path}.lei")
    return vasp


def _account(raw: object, path: str, expected: str, role: str) -> str:
    if not isinstance(raw, str) or not _ADDRESS.match(raw):
        _invalid("an address, 0x and 40 hex digits", path)
    if raw.lower() != expected.lower():
        _invalid(f"must be {role} of the signed withdrawal, {expected}", path)
    return expected


def _lei(raw: object, path: str) -> str:
    lei = raw.strip().upper() if isinstance(raw, str) else ""
    if not lei_is_valid(lei):
        _invalid("an LEI (ISO 17442): 20 letters and digits whose last two check digits match", path)
    return lei


def _country(raw: object, path: str) -> str:
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if code not in ISO_3166_ALPHA2:
        _invalid("an ISO 3166-1 alpha-2 country code, like DE or US", path)
    return code


def _texts(body: Mapping[str, object], path: str, limits: Mapping[str, int]) -> dict[str, str]:
    """Each of the text fields `limits` names that `body` has, checked against its maximum length."""
    return {field: _text(body[field], f"{path}.{field}", most) for field, most in limits.items() if field in body}


def _text(raw: object, path: str, most: int) -> str:
    text = raw.strip() if isinstance(raw, str) else None
    if not text:
        _invalid("must be non-empty text", path)
    if len(text) > most:
        _invalid(f"at most {most} characters", path)
    if _CONTROL.search(text):
        _invalid("must not contain control characters", path)
    return text


def _object(raw: object, path: str, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    """`raw` as a JSON object with every `required` field and nothing but those and `optional` ones."""
    if not isinstance(raw, dict):
        _invalid("must be an object", path)
    for field in raw:
        if field not in required and field not in optional:
            _invalid("not a travel-rule field here", f"{path}.{field}")
    for field in required:
        if field not in raw or raw[field] is None:
            _invalid("required", f"{path}.{field}")
    return {field: value for field, value in raw.items() if value is not None}


def _invalid(message: str, path: str) -> NoReturn:
    raise HdexError(ErrorCode.TRAVEL_RULE_INVALID, message, path)
