"""`execute` and `schedule` refuse, in words that say what to do, before any keystore is unlocked: a proposal ahead
of the contract's nonce (it said "executed already ... propose again"), a schedule sent twice (the same), expired
approvals (a bare unix time), and every refusal without a password at hand (it said "Aborted!" at the prompt)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from backend.cli import main

from .conftest import Desk

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_a_proposal_ahead_of_the_contracts_nonce_says_which_go_first(desk: Desk) -> None:
    current = desk.custody_nonce()
    proposal = desk.approved(
        "ahead.json", "--target", desk.exchange, "--function", "pause", "--nonce", str(current + 2)
    )

    result = desk.send("execute", proposal)

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"hdex treasury execute: the proposal is for Custody nonce {current + 2}, the contract is at {current}: "
        f"the proposals for nonces {current} to {current + 1} must be executed first"
    )
    assert desk.chain.exchange.functions.paused().call() is False


def test_a_schedule_sent_again_says_it_is_scheduled_and_when_it_is_due(desk: Desk) -> None:
    proposal = desk.approved("fee.json", "--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500")
    assert desk.send("schedule", proposal).exit_code == 0

    again = desk.send("schedule", proposal)

    assert again.exit_code == 1
    assert re.fullmatch(
        rf"hdex treasury schedule: operation 0x[0-9a-f]{{64}} is scheduled already, due at \d+ \({ISO}\): "
        r"`hdex treasury execute` this file once it is due",
        again.stderr.strip(),
    ), again.stderr


def test_expired_approvals_say_when_in_words(desk: Desk) -> None:
    now = int(desk.chain.w3.eth.get_block("latest")["timestamp"])
    proposal = desk.approved(
        "pause.json", "--target", desk.exchange, "--function", "pause", "--deadline", str(now + 600)
    )
    desk.chain.rpc("evm_increaseTime", 3_600)
    desk.chain.mine()

    result = desk.send("execute", proposal)

    assert result.exit_code == 1
    assert re.fullmatch(
        rf"hdex treasury execute: the approvals expired at {now + 600} \({ISO}\): propose again", result.stderr.strip()
    ), result.stderr


def test_a_refusal_comes_before_the_password_is_asked(desk: Desk) -> None:
    """No password in the environment and none typed (a script, a CI job): the refusal, not `Aborted!`."""
    proposal = desk.propose("pause.json", "--target", desk.exchange, "--function", "pause")
    assert desk.sign(proposal, 0).exit_code == 0

    for verb in ("execute", "schedule"):
        result = CliRunner().invoke(
            main, ["treasury", verb, str(proposal), "--keystore", str(desk.sender_keystore), "--rpc", desk.chain.url],
            env={"HDEX_KEYSTORE_PASSWORD": ""}, input="",
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "Aborted" not in result.output
        expected = "below threshold: 1 of 2 approvals" if verb == "execute" else "not a timelocked call"
        assert expected in result.stderr, result.stderr
