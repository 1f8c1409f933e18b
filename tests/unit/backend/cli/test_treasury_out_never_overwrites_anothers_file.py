"""`hdex treasury propose|sign|collect --out` never replace a file that is not the same proposal keeping every
signature it holds: an owner's keystore, another operation's proposal and a proposal's signatures survive, with a
refusal naming the file and what it is; signing in place and re-collecting into the same file still work, and
`--force` replaces on purpose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account
from eth_typing import HexStr

from backend.chain.compiler import ensure_compiled
from backend.cli import main

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
PASSWORD = "correct horse battery staple"
KEYS = [HexStr("0x" + f"{i:02x}" * 32) for i in (0x11, 0x22)]
OWNERS = ",".join(Account.from_key(k).address for k in KEYS)


def hdex(*args: str) -> Result:
    return CliRunner().invoke(main, ["treasury", *args], env={"HDEX_KEYSTORE_PASSWORD": PASSWORD})


def propose(out: Path, function: str = "pause", *extra: str) -> Result:
    ensure_compiled()  # the ABIs the proposal is decoded with
    return hdex("propose", "--custody", CUSTODY, "--target", EXCHANGE, "--function", function, "--nonce", "0",
                "--chain-id", "31337", "--deadline", "2000000000", "--out", str(out), *extra)  # fmt: skip


def sign(proposal: Path, keystore: Path, *extra: str) -> Result:
    return hdex("sign", str(proposal), "--keystore", str(keystore), "--chain-id", "31337", "--custody", CUSTODY,
                "--yes", "--digest", json.loads(proposal.read_text())["digest"], *extra)  # fmt: skip


@pytest.fixture
def keystores(tmp_path: Path) -> list[Path]:
    paths = []
    for i, key in enumerate(KEYS):
        path = tmp_path / f"k{i}.json"
        path.write_text(json.dumps(Account.encrypt(key, PASSWORD, kdf="pbkdf2", iterations=1_000)))
        paths.append(path)
    return paths


def test_collect_refuses_to_overwrite_a_keystore(tmp_path: Path, keystores: list[Path]) -> None:
    assert propose(tmp_path / "p.json").exit_code == 0
    before = keystores[0].read_bytes()
    result = hdex("collect", str(tmp_path / "p.json"), "--out", str(keystores[0]), "--owners", OWNERS)
    assert result.exit_code == 1, result.output
    assert f"{keystores[0]} already exists and is an encrypted keystore (address " in result.output
    assert keystores[0].read_bytes() == before


def test_propose_refuses_to_overwrite_a_signed_proposal_or_another_operation(
    tmp_path: Path, keystores: list[Path]
) -> None:
    proposal = tmp_path / "p.json"
    assert propose(proposal).exit_code == 0
    assert sign(proposal, keystores[0]).exit_code == 0
    signed = proposal.read_bytes()
    again = propose(proposal)  # the same operation, unsigned: it would drop the signature
    assert again.exit_code == 1 and "which this write would drop" in again.output, again.output
    other = propose(proposal, "unpause")
    assert other.exit_code == 1, other.output
    assert "is a proposal for another operation (digest 0x" in other.output and "Exchange.pause()" in other.output
    assert proposal.read_bytes() == signed


def test_signing_in_place_and_collecting_into_the_same_file_still_work(tmp_path: Path, keystores: list[Path]) -> None:
    proposal, ready = tmp_path / "p.json", tmp_path / "ready.json"
    assert propose(proposal).exit_code == 0
    assert sign(proposal, keystores[0]).exit_code == 0  # FILE itself, one more signature
    assert hdex("collect", str(proposal), "--out", str(ready), "--owners", OWNERS).exit_code == 0
    assert sign(proposal, keystores[1], "--out", str(tmp_path / "p1.json")).exit_code == 0
    result = hdex("collect", str(ready), str(tmp_path / "p1.json"), "--out", str(ready), "--owners", OWNERS)
    assert result.exit_code == 0, result.output
    assert len(json.loads(ready.read_text())["signatures"]) == 2


def test_force_replaces_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    out.write_text("notes")
    assert propose(out).exit_code == 1 and out.read_text() == "notes"
    assert propose(out, "pause", "--force").exit_code == 0
    assert json.loads(out.read_text())["call"] == "Exchange.pause()"
