"""ISO 3166-1 alpha-2 country codes (the 249 officially assigned), the check of a declared country, and
whether it is one of the restricted ones."""

from __future__ import annotations

from backend.errors import ErrorCode, HdexError

_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2 = frozenset(_CODES.split())


def normal_country(code: str, field: str) -> str:
    """`code` upper-cased if it is an assigned ISO 3166-1 alpha-2 code, else INVALID_FIELD on `field`."""
    upper = code.strip().upper() if isinstance(code, str) else ""
    if upper not in ISO_3166_ALPHA2:
        raise HdexError(ErrorCode.INVALID_FIELD, "a country is an ISO 3166-1 alpha-2 code, like DE or US", field)
    return upper


def is_restricted(country: str | None, restricted_countries: frozenset[str]) -> bool:
    """Whether a declared `country` (None: not declared) is one HDEX cannot verify residents of."""
    return country is not None and country in restricted_countries
