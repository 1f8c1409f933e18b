"""Sanctions list importers: the SDN advanced XML structure and plain address lists."""

from pathlib import Path

import pytest

from backend.compliance.lists import (
    BUNDLED_OFAC_LIST,
    ListFormatError,
    parse_address_list,
    parse_list_file,
    parse_sdn_advanced_xml,
)

ETH_1 = "0x901bB9583b24D97e995513C6778dc6888AB6870e"
ETH_2 = "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"
USDT_ON_ETHEREUM = "0x" + "ee" * 20

SDN_ADVANCED = f"""<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
  <DateOfIssue><Year>2026</Year><Month>11</Month><Day>3</Day></DateOfIssue>
  <ReferenceValueSets>
    <FeatureTypeValues>
      <FeatureType ID="344" FeatureTypeGroupID="1">Digital Currency Address - XBT</FeatureType>
      <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
      <FeatureType ID="887" FeatureTypeGroupID="1">Digital Currency Address - USDT</FeatureType>
      <FeatureType ID="10" FeatureTypeGroupID="2">Website</FeatureType>
    </FeatureTypeValues>
  </ReferenceValueSets>
  <DistinctParties>
    <DistinctParty FixedRef="1"><Profile ID="1">
      <Feature ID="1" FeatureTypeID="345"><FeatureVersion ID="1" ReliabilityID="1560"><Comment />
        <VersionDetail DetailTypeID="1432">{ETH_1}</VersionDetail></FeatureVersion></Feature>
      <Feature ID="2" FeatureTypeID="344"><FeatureVersion ID="2"><Comment />
        <VersionDetail DetailTypeID="1432">1BitcoinAddressNotOurs</VersionDetail></FeatureVersion></Feature>
    </Profile></DistinctParty>
    <DistinctParty FixedRef="2"><Profile ID="2">
      <Feature ID="3" FeatureTypeID="345"><FeatureVersion ID="3"><Comment />
        <VersionDetail DetailTypeID="1432">{ETH_2.lower()}</VersionDetail></FeatureVersion></Feature>
    </Profile></DistinctParty>
    <DistinctParty FixedRef="3"><Profile ID="3">
      <Feature ID="4" FeatureTypeID="887"><FeatureVersion ID="4"><Comment />
        <VersionDetail DetailTypeID="1432">{USDT_ON_ETHEREUM}</VersionDetail></FeatureVersion></Feature>
      <Feature ID="5" FeatureTypeID="887"><FeatureVersion ID="5"><Comment />
        <VersionDetail DetailTypeID="1432">TXyzTronAddressNotOurs</VersionDetail></FeatureVersion></Feature>
      <Feature ID="6" FeatureTypeID="10"><FeatureVersion ID="6"><Comment />
        <VersionDetail DetailTypeID="1432">0x{"12" * 20}</VersionDetail></FeatureVersion></Feature>
    </Profile></DistinctParty>
  </DistinctParties>
</Sanctions>
"""


def test_the_sdn_advanced_xml_yields_the_0x_addresses_of_every_currency_lowercased_with_the_issue_date(
    tmp_path: Path,
) -> None:
    """ETH's and also USDT's (OFAC files a token's holder under the token); not Bitcoin's or Tron's addresses,
    nor a 0x string under a feature that is no currency address."""
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(SDN_ADVANCED)
    parsed = parse_sdn_advanced_xml(path)
    assert parsed.source == "ofac-sdn"
    assert parsed.version == "2026-11-03"
    assert parsed.addresses == {ETH_1.lower(), ETH_2.lower(), USDT_ON_ETHEREUM}


def test_an_xml_file_without_a_digital_currency_feature_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<Sanctions><DistinctParties/></Sanctions>")
    with pytest.raises(ListFormatError, match="Digital Currency Address - "):
        parse_sdn_advanced_xml(path)


def test_broken_xml_is_refused_with_the_file_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<Sanctions><DistinctParties>")
    with pytest.raises(ListFormatError, match=r"broken\.xml"):
        parse_list_file(path)


def test_the_bundled_ofac_list_parses_case_insensitively() -> None:
    parsed = parse_list_file(BUNDLED_OFAC_LIST)
    assert parsed.source == "ofac-sdn"
    assert len(parsed.addresses) == 147
    assert all(a == a.lower() for a in parsed.addresses)
    assert "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1" in parsed.addresses


def test_a_plain_list_skips_comments_and_rejects_a_bad_line_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "deny.txt"
    path.write_text(f"# our list\n{ETH_1}\n\n{ETH_2}  # note\n")
    assert parse_address_list(path).addresses == {ETH_1.lower(), ETH_2.lower()}
    path.write_text(f"{ETH_1}\nnot-an-address\n")
    with pytest.raises(ListFormatError, match=r"deny.txt:2"):
        parse_address_list(path)


def test_the_version_of_a_plain_list_changes_with_its_content(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(ETH_1)
    first = parse_address_list(path).version
    path.write_text(ETH_2)
    assert parse_address_list(path).version != first


@pytest.mark.parametrize(
    ("name", "source"),
    [("ofac-2026.txt", "ofac-sdn"), ("OFAC.txt", "ofac-sdn"), ("my-ofac.txt", "list:my-ofac"),
     ("vendor2.txt", "list:vendor2")],
)  # fmt: skip
def test_a_plain_list_replaces_the_ofac_list_only_when_its_name_starts_with_ofac(
    tmp_path: Path, name: str, source: str
) -> None:
    path = tmp_path / name
    path.write_text(ETH_1)
    assert parse_list_file(path).source == source


def test_a_plain_list_whose_name_is_too_long_to_keep_as_its_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ("v" * 60 + ".txt")
    path.write_text(ETH_1)
    with pytest.raises(ListFormatError, match="rename the file"):
        parse_list_file(path)
