"""`hdex treasury` offline (no node): a proposal whose deadline is past any calendar date (a uint256 one never
expires) is written and shown, not a traceback after the file is written; a deadline past uint256 is refused
before anything is written, and so is a deadline already past; the command a signer copies quotes the file name;
a call only the timelock may make proposed without it, and an expired proposal, warn loudly."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from backend.chain.compiler import ensure_compiled
from backend.cli import main
from backend.paths import ARTIFACTS_DIR
from custody.calls import KnownAbis
from custody.proposal import Proposal

CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EXCHANGE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


def propose(out: Path, deadline: int) -> Result:
    ensure_compiled()  # the ABIs the proposal is decoded with
    args = ["treasury", "propose", "--custody", CUSTODY, "--target", EXCHANGE, "--function", "pause",
            "--nonce", "0", "--chain-id", "31337", "--deadline", str(deadline), "--out", str(out)]  # fmt: skip
    return CliRunner().invoke(main, args)


def test_a_deadline_past_any_calendar_date_is_written_and_shown(tmp_path: Path) -> None:
    result = propose(tmp_path / "p.json", 2**64)
    assert result.exit_code == 0, result.output
    assert f"deadline     {2**64} (beyond any calendar date)" in result.output
    assert (tmp_path / "p.json").exists()
    shown = CliRunner().invoke(main, ["treasury", "show", str(tmp_path / "p.json")])
    assert shown.exit_code == 0, shown.output


def test_a_deadline_past_uint256_is_refused_and_nothing_written(tmp_path: Path) -> None:
    result = propose(tmp_path / "p.json", 2**256)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert not (tmp_path / "p.json").exists()


def test_the_command_to_copy_quotes_the_file_name(tmp_path: Path) -> None:
    """Signers paste it into a shell: a name with spaces or `$(...)` must stay a name."""
    named = tmp_path / "fee $(touch pwned).json"
    assert propose(named, 2**40).exit_code == 0
    shown = CliRunner().invoke(main, ["treasury", "show", str(named)])
    assert f"hdex treasury sign '{named}' --digest 0x" in shown.output, shown.output


MISTYPED = CUSTODY[:-1] + "A"  # mixed case whose EIP-55 checksum no longer matches: another account


def test_a_custody_address_with_a_wrong_checksum_is_refused_and_nothing_written(tmp_path: Path) -> None:
    ensure_compiled()
    args = ["treasury", "propose", "--custody", MISTYPED, "--target", EXCHANGE, "--function", "pause",
            "--nonce", "0", "--chain-id", "31337", "--out", str(tmp_path / "p.json")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "EIP-55 checksum" in result.output, result.output
    assert not (tmp_path / "p.json").exists()


def test_an_owner_with_a_wrong_checksum_is_refused_by_collect(tmp_path: Path) -> None:
    assert propose(tmp_path / "p.json", 2**40).exit_code == 0
    args = ["treasury", "collect", str(tmp_path / "p.json"), "--out", str(tmp_path / "c.json"),
            "--owners", f"{EXCHANGE},{MISTYPED}", "--threshold", "1"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "EIP-55 checksum" in result.output, result.output
    assert not (tmp_path / "c.json").exists()


def test_a_deadline_already_past_is_refused_and_nothing_written(tmp_path: Path) -> None:
    result = propose(tmp_path / "p.json", 5)
    assert result.exit_code == 1, result.output
    assert "--deadline 5 (1970-01-01T00:00:05Z) is already past" in result.output
    assert not (tmp_path / "p.json").exists()


def test_a_timelock_only_call_proposed_without_the_timelock_warns_loudly(tmp_path: Path) -> None:
    ensure_compiled()
    args = ["treasury", "propose", "--custody", CUSTODY, "--target", EXCHANGE, "--function", "setFeeSchedule",
            "--no-timelock", "--nonce", "0", "--chain-id", "31337", "--out", str(tmp_path / "p.json"),
            "1", "2"]  # fmt: skip
    assert "NOT THROUGH THE TIMELOCK: Exchange.setFeeSchedule" in CliRunner().invoke(main, args).output
    shown = CliRunner().invoke(main, ["treasury", "show", str(tmp_path / "p.json")])
    assert "!!! WARNING: NOT THROUGH THE TIMELOCK: Exchange.setFeeSchedule" in shown.output, shown.output


def test_show_warns_loudly_that_a_proposal_has_expired(tmp_path: Path) -> None:
    """Approvals for a past deadline can never execute: a signer must not spend a signature on them."""
    expired = tmp_path / "p.json"
    assert propose(expired, 2**40).exit_code == 0
    data = json.loads(expired.read_text())
    data["message"]["deadline"] = "5"
    rebuilt = Proposal.create(Proposal.from_json(data).transaction, KnownAbis.from_artifacts(ARTIFACTS_DIR))
    expired.write_text(json.dumps(rebuilt.to_json()))
    shown = CliRunner().invoke(main, ["treasury", "show", str(expired)])
    assert shown.exit_code == 0 and "!!! WARNING: EXPIRED: the deadline 5 passed" in shown.output, shown.output
