"""Text a proposal folder holds reaches the signer's terminal escaped: a planted file whose `call` (or a keystore's
`address`) carries escape sequences could otherwise clear the screen and print a success line that never happened,
as a file name with control characters could (refused outright)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from backend.chain.compiler import ensure_compiled
from backend.cli import main
from backend.paths import ARTIFACTS_DIR
from custody.approvals import CustodyTransaction
from custody.calls import KnownAbis
from custody.errors import TransactionNotMined, TreasuryError
from custody.proposal import Proposal, write_proposal
from custody.terminal import printable

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
FAKE_SUCCESS = "\x1b[2J\x1b[Hproposal written to fee.json\x1b[8m"  # clear the screen, a false line, hide the rest


@pytest.fixture(scope="module")
def abis() -> KnownAbis:
    ensure_compiled()
    return KnownAbis.from_artifacts(ARTIFACTS_DIR)


def proposal(abis: KnownAbis, function: str) -> Proposal:
    tx = CustodyTransaction(31337, CUSTODY, EXCHANGE, 0, abis.encode(function, []), nonce=0, deadline=2_000_000_000)
    return Proposal.create(tx, abis)


def test_printable_escapes_what_a_terminal_would_obey_and_keeps_the_rest() -> None:
    assert printable(FAKE_SUCCESS) == "\\x1b[2J\\x1b[Hproposal written to fee.json\\x1b[8m"
    assert printable("a\r\nb\u202ec\x00") == "a\\r\\nb\\u202ec\\x00"  # a carriage return, a bidi override
    assert printable("Exchange.pause() 0xAb, é 😀") == "Exchange.pause() 0xAb, é 😀"


def test_the_call_of_a_planted_proposal_is_escaped_in_the_refusal_to_overwrite_it(
    abis: KnownAbis, tmp_path: Path
) -> None:
    planted = proposal(abis, "unpause").to_json() | {"call": FAKE_SUCCESS}
    out = tmp_path / "fee.json"
    out.write_text(json.dumps(planted))
    with pytest.raises(TreasuryError, match="is a proposal for another operation") as refused:
        write_proposal(proposal(abis, "pause"), out)
    assert "\x1b" not in str(refused.value) and "\\x1b[2J\\x1b[Hproposal written" in str(refused.value)
    assert json.loads(out.read_text()) == planted


def test_the_address_of_a_planted_keystore_is_escaped_in_the_refusal_to_overwrite_it(
    abis: KnownAbis, tmp_path: Path
) -> None:
    out = tmp_path / "owner.json"
    out.write_text(json.dumps({"crypto": {}, "address": FAKE_SUCCESS}))
    with pytest.raises(TreasuryError, match="is an encrypted keystore") as refused:
        write_proposal(proposal(abis, "pause"), out)
    assert "\x1b" not in str(refused.value)


def test_the_call_of_a_changed_file_is_escaped_when_signing_is_refused(abis: KnownAbis) -> None:
    reviewed = proposal(abis, "pause").digest
    swapped = Proposal.from_json(proposal(abis, "unpause").to_json() | {"call": FAKE_SUCCESS})
    with pytest.raises(TreasuryError, match="not the 0x") as refused:
        swapped.require_reviewed(reviewed)
    assert "\x1b" not in str(refused.value)


def test_a_string_in_decoded_revert_data_is_escaped(abis: KnownAbis) -> None:
    """Any target may revert with a known error carrying a string (`StringTooLong`), wrapped in CustodyCallFailed."""
    inner = keccak(text="StringTooLong(string)")[:4] + abi_encode(["string"], [FAKE_SUCCESS])
    wrapped = keccak(text="CustodyCallFailed(address,bytes)")[:4] + abi_encode(["address", "bytes"], [EXCHANGE, inner])
    text = abis.decode_error(wrapped)
    assert "\x1b" not in text and "StringTooLong(str=\\x1b[2J" in text


def test_propose_over_a_planted_file_prints_its_call_escaped(abis: KnownAbis, tmp_path: Path) -> None:
    out = tmp_path / "fee.json"
    out.write_text(json.dumps(proposal(abis, "unpause").to_json() | {"call": FAKE_SUCCESS}))
    args = ["treasury", "propose", "--custody", CUSTODY, "--target", EXCHANGE, "--function", "pause", "--nonce", "0",
            "--chain-id", "31337", "--deadline", "2000000000", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(main, args, color=True)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "already exists and is a proposal for another operation" in result.output


def test_a_nodes_words_in_a_transaction_not_mined_reach_the_terminal_escaped() -> None:
    """The node's error text (a receipt timeout, a dropped connection) is any text too, and the message says how
    to tell the transaction was mined for a scheduled call as well as a direct execute."""
    message = str(TransactionNotMined("0x" + "ab" * 32, "\x1b[2J\x1b[Hall done"))
    assert "\x1b" not in message and "\\x1b[2J" in message
    assert "nonce moved on for a direct execute" in message and "scheduled call no longer pending" in message
