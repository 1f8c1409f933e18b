"""Importers for sanctions lists: the OFAC SDN advanced XML, and plain address lists.

The SDN advanced XML names feature types in its reference sets
(`<FeatureType ID="345">Digital Currency Address - ETH</FeatureType>`, one per currency) and gives each
party's addresses as features of such a type (`<Feature FeatureTypeID="345"> ... <VersionDetail>0x..`);
the Ethereum-format (0x, 40 hex digits) addresses of every currency are kept.
The file is large (~80 MB), so it is streamed; namespaces differ between publications, so
elements are matched by local name.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from backend.errors import CodedError, ErrorCode

# OFAC files an address under the currency it was seen with: 0x addresses appear as ETH, but also as USDC, USDT,
# ETC, ARB, BSC, ... (the EVM chains and tokens); every one of them is a wallet that can hold our tokens.
DIGITAL_CURRENCY_FEATURE = "Digital Currency Address - "
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
OFAC_SOURCE = "ofac-sdn"
MAX_SOURCE_CHARS = 64  # the database's column


class ListFormatError(CodedError, ValueError):
    """The file is not a list we can import; the message says where and why."""

    CODE = ErrorCode.INVALID_SCREENING_LIST


@dataclass(frozen=True)
class SanctionsList:
    source: str  # e.g. "ofac-sdn"
    version: str  # publication date when the file has one, else a content hash
    addresses: frozenset[str]  # lower case


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sdn_advanced_xml(path: Path) -> SanctionsList:
    """The Ethereum-format addresses of an OFAC SDN advanced XML file, of any digital currency."""
    currency_feature_types: set[str] = set()
    addresses: set[str] = set()
    in_currency_feature = False
    issued: dict[str, str] = {}
    in_issue_date = False
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "Feature":
                    in_currency_feature = element.get("FeatureTypeID") in currency_feature_types
                elif name == "DateOfIssue":
                    in_issue_date = True
                continue
            if name == "FeatureType" and (element.text or "").strip().startswith(DIGITAL_CURRENCY_FEATURE):
                currency_feature_types.add(element.get("ID", ""))
            elif name == "VersionDetail" and in_currency_feature:
                value = (element.text or "").strip()
                if _ADDRESS.match(value):
                    addresses.add(value.lower())
            elif name == "Feature":
                in_currency_feature = False
                element.clear()  # keep memory flat on the full file
            elif in_issue_date and name in ("Year", "Month", "Day"):
                issued[name] = (element.text or "").strip().zfill(2)
            elif name == "DateOfIssue":
                in_issue_date = False
    except ET.ParseError as exc:
        raise ListFormatError(f"{path}: not well-formed XML: {exc}") from None
    if not currency_feature_types:
        raise ListFormatError(
            f"{path}: no '{DIGITAL_CURRENCY_FEATURE}...' feature type: not an SDN advanced XML file"
        )
    version = (
        f"{issued['Year']}-{issued['Month']}-{issued['Day']}"
        if {"Year", "Month", "Day"} <= issued.keys()
        else _digest(addresses)
    )
    return SanctionsList(OFAC_SOURCE, version, frozenset(addresses))


def plain_list_source(path: Path) -> str:
    """The source a plain list is kept under, which its next import replaces: the OFAC list's when the file name
    starts with `ofac`, else `list:` and the name without its extension (lower case), so that importing one
    vendor's list never replaces another's."""
    if path.name.lower().startswith("ofac"):
        return OFAC_SOURCE
    source = "list:" + path.stem.lower()
    if len(source) > MAX_SOURCE_CHARS:
        raise ListFormatError(f"{path}: a list's name is kept as its source, at most {MAX_SOURCE_CHARS - 5} "
                              "characters before the extension: rename the file")  # fmt: skip
    return source


def parse_address_list(path: Path, source: str | None = None) -> SanctionsList:
    """One address per line (any case); blank lines and `#` comments are skipped. `source` defaults to the one
    the file's name gives (`plain_list_source`)."""
    source = source if source is not None else plain_list_source(path)
    addresses = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not _ADDRESS.match(line):
            raise ListFormatError(f"{path}:{number}: not an Ethereum address: {line[:60]!r}")
        addresses.add(line.lower())
    if not addresses:
        raise ListFormatError(f"{path}: no addresses")
    return SanctionsList(source, _digest(addresses), frozenset(addresses))


def parse_list_file(path: Path) -> SanctionsList:
    """An SDN advanced XML file (by content) or a plain address list (its source from its name)."""
    with path.open("rb") as handle:
        head = handle.read(512).lstrip()
    if head.startswith(b"<"):
        return parse_sdn_advanced_xml(path)
    return parse_address_list(path)


def _digest(addresses: set[str]) -> str:
    return "sha256:" + hashlib.sha256("\n".join(sorted(addresses)).encode()).hexdigest()[:16]


BUNDLED_OFAC_LIST = Path(__file__).resolve().parent / "data" / "ofac-sdn-eth-addresses.txt"
# The version of the snapshot shipped with HDEX starts with this: an operator's own import never does, so a
# restart can tell the two apart (`backend.compliance.store.import_bundled_list`).
BUNDLED_VERSION_PREFIX = "bundled:"


def bundled_ofac_list() -> SanctionsList:
    """The OFAC snapshot shipped with HDEX, its version marked as the bundled one."""
    parsed = parse_list_file(BUNDLED_OFAC_LIST)
    return SanctionsList(parsed.source, BUNDLED_VERSION_PREFIX + parsed.version, parsed.addresses)
