"""`hdex treasury sign` signs only the digest the signer reviewed with `show`: a proposal file rebuilt around
another call in the shared folder (self-consistent, so `verify` passes) is refused and nothing is written;
`--yes` without `--digest` is refused; the reviewed file signs, and the prompt shows the digest it signs."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account
from eth_typing import HexStr

from backend.chain.compiler import ensure_compiled
from backend.cli import main
from backend.paths import ARTIFACTS_DIR
from custody.approvals import recover
from custody.calls import KnownAbis
from custody.proposal import Proposal, read_proposal, write_proposal

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
OWNER_KEY = HexStr("0x" + "11" * 32)
PASSWORD = "correct horse battery staple"
PIN = ["--chain-id", "31337", "--custody", CUSTODY]


@pytest.fixture
def keystore(tmp_path: Path) -> Path:
    path = tmp_path / "owner.json"
    path.write_text(json.dumps(Account.encrypt(OWNER_KEY, PASSWORD, kdf="pbkdf2", iterations=1_000)))
    return path


@pytest.fixture
def proposal(tmp_path: Path) -> Path:
    ensure_compiled()  # the ABIs the proposal is decoded with
    out = tmp_path / "pause.json"
    result = hdex("propose", "--custody", CUSTODY, "--target", EXCHANGE, "--function", "pause",
                  "--nonce", "0", "--chain-id", "31337", "--deadline", "2000000000", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def hdex(*args: str, answer: str | None = None) -> Result:
    return CliRunner().invoke(main, ["treasury", *args], input=answer, env={"HDEX_KEYSTORE_PASSWORD": PASSWORD})


def reviewed_digest(proposal: Path) -> str:
    """What a signer copies from `show`'s output after comparing it with the other signers."""
    shown = hdex("show", str(proposal), *PIN)
    assert shown.exit_code == 0, shown.output
    found = re.search(r"^DIGEST TO COMPARE  (0x[0-9a-f]{64})$", shown.output, re.MULTILINE)
    assert found, shown.output
    return found.group(1)


def rebuild_with_another_call(proposal: Path, function: str, *args: str) -> None:
    """What anyone who can write to the shared folder can do: swap the call and recompute every hash."""
    abis = KnownAbis.from_artifacts(ARTIFACTS_DIR)
    original = read_proposal(proposal)
    swapped = replace(original.transaction, data=abis.encode(function, args))
    write_proposal(Proposal.create(swapped, abis), proposal, force=True)


def test_a_proposal_rebuilt_with_another_call_after_review_is_refused_and_nothing_is_written(
    proposal: Path, keystore: Path, tmp_path: Path
) -> None:
    digest = reviewed_digest(proposal)
    rebuild_with_another_call(proposal, "setTokenListed", "0x" + "66" * 20, "true")
    assert hdex("show", str(proposal), *PIN).exit_code == 0  # self-consistent: only the digest tells
    before = proposal.read_bytes()

    for out in ([], ["--out", str(tmp_path / "signed.json")]):
        result = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, "--yes", "--digest", digest, *out)

        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert f"not the {digest} you reviewed" in result.stderr and "Exchange.setTokenListed(" in result.stderr
        assert "nothing was signed" in result.stderr
    assert proposal.read_bytes() == before
    assert not (tmp_path / "signed.json").exists()
    assert read_proposal(proposal).approvals == ()


def test_sign_yes_without_digest_is_refused_with_a_clear_message(proposal: Path, keystore: Path) -> None:
    before = proposal.read_bytes()

    result = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, "--yes")

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "hdex treasury sign: --yes signs without asking, so it needs --digest 0x... (the digest `show` printed "
        "and the other signers confirmed): refusing"
    )
    assert proposal.read_bytes() == before


def test_the_reviewed_digest_signs_without_asking(proposal: Path, keystore: Path) -> None:
    digest = reviewed_digest(proposal)

    result = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, "--yes", "--digest", digest)

    assert result.exit_code == 0, result.output
    assert f"signing  digest {digest}" in result.output and "Exchange.pause() on " + EXCHANGE in result.output
    signed = read_proposal(proposal)
    assert [recover(signed.transaction, a.signature) for a in signed.approvals] == [Account.from_key(OWNER_KEY).address]


def test_interactive_signing_shows_the_digest_and_call_and_names_no_hardware_wallet_screen(
    proposal: Path, keystore: Path
) -> None:
    digest = reviewed_digest(proposal)
    before = proposal.read_bytes()

    declined = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, answer="n\n")

    assert declined.exit_code == 1 and proposal.read_bytes() == before
    prompt = declined.output[declined.output.index(f"signing  digest {digest}") :]
    assert "Exchange.pause()" in prompt
    assert "No hardware wallet shows this digest" in prompt and "the digest `show` printed" in prompt

    accepted = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, "--digest", digest, answer="y\n")

    assert accepted.exit_code == 0, accepted.output
    assert "= the digest you reviewed (--digest)" in accepted.output
    assert len(read_proposal(proposal).approvals) == 1


def test_a_digest_that_is_not_32_bytes_of_hex_is_refused(proposal: Path, keystore: Path) -> None:
    result = hdex("sign", str(proposal), "--keystore", str(keystore), *PIN, "--yes", "--digest", "0x1234")

    assert result.exit_code == 1 and "--digest: '0x1234' is not a 32-byte 0x-hex digest" in result.stderr
    assert read_proposal(proposal).approvals == ()
