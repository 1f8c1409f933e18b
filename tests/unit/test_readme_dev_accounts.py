"""The README's development accounts table is the one `backend.chain.devkeys` derives and deploys with."""

from __future__ import annotations

import re

from eth_account import Account

from backend.chain.deploy import DEV_TOKENS
from backend.chain.devkeys import (
    ANVIL_MNEMONIC,
    CUSTODY_OWNER_INDICES,
    DEPLOYER_INDEX,
    DEV_KEYS,
    OPERATOR_INDEX,
    TRADER_INDICES,
)
from backend.paths import PROJECT_ROOT

SECTION = "### Development accounts"


def readme_section() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n#", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


def table_rows(section: str) -> list[list[str]]:
    """The cells of each body row of the section's first table, backticks removed."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in lines[2:]]


def expected_role(index: int) -> str:
    if index == DEPLOYER_INDEX:
        return "deployer"
    if index == OPERATOR_INDEX:
        return "operator"
    if index in CUSTODY_OWNER_INDICES:
        return "custody owner"
    assert index in TRADER_INDICES
    return "trader"


def test_the_readme_lists_every_dev_account_with_its_address_key_and_role() -> None:
    rows = table_rows(readme_section())
    assert [int(row[0]) for row in rows] == list(range(len(DEV_KEYS)))
    for index, address, key, role in rows:
        assert (address, key) == (Account.from_key(DEV_KEYS[int(index)]).address, DEV_KEYS[int(index)]), index
        assert role.startswith(expected_role(int(index))), (index, role)


def test_the_readme_says_what_the_deploy_mints_to_each_trader() -> None:
    minted = " and ".join(f"{whole:,} {symbol}" for symbol, _, _, whole in DEV_TOKENS)
    for index, _, _, role in table_rows(readme_section()):
        assert (minted in role) == (int(index) in TRADER_INDICES), (index, role)


def test_the_readme_gives_the_mnemonic_and_derivation_path_the_keys_come_from() -> None:
    section = " ".join(readme_section().split())
    assert f"`{ANVIL_MNEMONIC}`" in section
    assert re.search(r"`m/44'/60'/0'/0/<index>`", section)
