"""A mistyped address is refused wherever the treasury client reads one: a mixed-case address whose EIP-55
checksum is wrong names another account (eth-utils 6's `is_address` checks only the format); all-lower or
all-upper hex carries no checksum and stays accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.chain.compiler import ensure_compiled
from backend.paths import ARTIFACTS_DIR
from custody.addresses import checksummed
from custody.approvals import CustodyTransaction
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.proposal import Proposal, read_proposal

GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TYPO = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"  # the last letter's case flipped
CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.mark.parametrize("typed", [GOOD, GOOD.lower(), "0x" + GOOD[2:].upper()])
def test_a_checksummed_or_single_case_address_is_accepted_in_its_checksummed_form(typed: str) -> None:
    assert checksummed(typed) == GOOD


@pytest.mark.parametrize(("typed", "why"), [(TYPO, "EIP-55 checksum"), ("0x1234", "40 hex digits")])
def test_a_wrong_checksum_or_a_short_address_is_refused(typed: str, why: str) -> None:
    with pytest.raises(TreasuryError, match=why):
        checksummed(typed)


def test_a_function_argument_with_a_wrong_checksum_is_refused() -> None:
    ensure_compiled()
    abis = KnownAbis.from_artifacts(ARTIFACTS_DIR)
    with pytest.raises(TreasuryError, match="EIP-55 checksum"):
        abis.encode("setFeeRecipient", [TYPO])


def test_a_proposal_file_with_a_wrong_checksum_is_refused(tmp_path: Path) -> None:
    ensure_compiled()
    abis = KnownAbis.from_artifacts(ARTIFACTS_DIR)
    tx = CustodyTransaction(31337, CUSTODY, GOOD, 0, abis.encode("pause", []), nonce=0, deadline=2_000_000_000)
    data = Proposal.create(tx, abis).to_json()
    data["message"]["target"] = TYPO
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TreasuryError, match=r"target: .*EIP-55 checksum"):
        read_proposal(path)
