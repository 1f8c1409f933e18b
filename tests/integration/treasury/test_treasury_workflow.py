"""`hdex treasury` on anvil: a fee change from proposal to execution through the timelock, and every refusal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address

from backend.chain.devkeys import DEV_KEYS

from .conftest import SENDER_INDEX, Desk

pytestmark = pytest.mark.chain

TIMELOCK_DELAY = 3600  # the dev stack's Custody delay


def sender_nonce(desk: Desk) -> int:
    return int(desk.chain.w3.eth.get_transaction_count(Account.from_key(DEV_KEYS[SENDER_INDEX]).address))


def test_a_fee_change_goes_from_proposal_through_three_signers_and_the_timelock_to_execution(desk: Desk) -> None:
    exchange = desk.chain.exchange
    proposal = desk.propose("fee.json", "--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500")

    shown = desk.hdex("show", "fee.json", "--chain-id", "31337", "--custody", desk.custody)
    assert shown.exit_code == 0, shown.output
    assert "Custody.schedule(" in shown.output  # a fee change needs the timelock: propose wrapped it
    assert "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)" in shown.output
    assert "0.15 %" in shown.output and "!!! WARNING: FEE CHANGE" in shown.output
    assert "DIGEST TO COMPARE  0x" in shown.output and "hdex treasury sign fee.json --digest 0x" in shown.output
    assert f"--keystore KEYSTORE --chain-id 31337 --custody {desk.custody}" in shown.output  # no placeholders

    signed = [desk.folder / f"signed{i}.json" for i in range(3)]
    for owner, out in enumerate(signed):
        result = desk.sign(proposal, owner, out)
        assert result.exit_code == 0, result.output
        assert "digest       0x" in result.output and "domain hash  0x" in result.output

    collected = desk.hdex("collect", *map(str, signed), "--out", "ready.json", "--rpc", desk.chain.url)
    assert collected.exit_code == 0, collected.output
    assert "3 approval(s)" in collected.output and "threshold 2 reached: ready to schedule" in collected.output

    scheduled = desk.send("schedule", Path("ready.json"))
    assert scheduled.exit_code == 0, scheduled.output
    assert re.search(r"due at \d+ \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", scheduled.output), scheduled.output
    queue = desk.hdex("queue", "--custody", desk.custody, "--rpc", desk.chain.url)
    assert "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)" in queue.output
    iso = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.search(rf"due \d+ \({iso}, 1 h left; expires {iso}\)", queue.output), queue.output

    early = desk.send("execute", Path("ready.json"))
    assert early.exit_code == 1 and "is due at" in early.stderr
    assert int(exchange.functions.makerFeeRate().call()) == 1_000

    desk.chain.rpc("evm_increaseTime", TIMELOCK_DELAY)
    desk.chain.mine()
    executed = desk.send("execute", Path("ready.json"))
    assert executed.exit_code == 0, executed.output
    assert int(exchange.functions.makerFeeRate().call()) == 1_500
    assert int(exchange.functions.takerFeeRate().call()) == 2_500
    assert "no pending operations" in desk.hdex("queue", "--custody", desk.custody, "--rpc", desk.chain.url).output


def test_an_operation_left_past_its_grace_period_expires_and_can_be_scheduled_again(desk: Desk) -> None:
    """Anyone may run a due operation: one the owners forgot must not stay runnable for years. Past 14 days after it
    was due, `queue` marks it, `execute` refuses before any key is unlocked (and the contract would revert), and a
    new approval schedules the same call again, its delay starting anew."""
    exchange = desk.chain.exchange
    fee_change = ("--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500", "--salt", "0x" + "ab" * 32)
    forgotten = desk.approved("fee.json", *fee_change)
    assert desk.send("schedule", forgotten).exit_code == 0
    grace = 14 * 86_400

    desk.chain.rpc("evm_increaseTime", TIMELOCK_DELAY + grace + 1)
    desk.chain.mine()
    queue = desk.hdex("queue", "--custody", desk.custody, "--rpc", desk.chain.url)
    assert re.search(r"0x[0-9a-f]{64} EXPIRED at \d+ \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\): .*"
                     r"Exchange\.setFeeSchedule\(makerFeeRate=1500, takerFeeRate=2500\) \(propose it again to run it\)",
                     queue.output), queue.output  # fmt: skip
    late = desk.send("execute", forgotten)
    assert late.exit_code == 1
    assert re.fullmatch(
        r"hdex treasury execute: operation 0x[0-9a-f]{64} expired at \d+ \(\S+\), 14 d after it was due: nobody "
        r"can run it now; propose it again to schedule it anew",
        late.stderr.strip(),
    ), late.stderr
    assert int(exchange.functions.makerFeeRate().call()) == 1_000

    again = desk.approved("again.json", *fee_change)
    assert desk.send("schedule", again).exit_code == 0, "an expired operation is scheduled again"
    queue = desk.hdex("queue", "--custody", desk.custody, "--rpc", desk.chain.url)
    (line,) = queue.output.splitlines()  # the same operation, due anew: no longer expired, and listed once
    assert "1 h left" in line and "EXPIRED" not in line
    desk.chain.rpc("evm_increaseTime", TIMELOCK_DELAY)
    desk.chain.mine()
    assert desk.send("execute", again).exit_code == 0
    assert int(exchange.functions.makerFeeRate().call()) == 1_500


def test_below_the_threshold_nothing_is_sent(desk: Desk) -> None:
    proposal = desk.propose("pause.json", "--target", desk.exchange, "--function", "pause")
    assert desk.sign(proposal, 0).exit_code == 0
    nonce, sent = desk.custody_nonce(), sender_nonce(desk)

    result = desk.send("execute", proposal)

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "hdex treasury execute: below threshold: 1 of 2 approvals; nothing was sent"
    )
    assert (desk.custody_nonce(), sender_nonce(desk)) == (nonce, sent)
    assert desk.chain.exchange.functions.paused().call() is False


def test_an_immediate_call_with_enough_approvals_executes_and_status_shows_the_nonce(desk: Desk) -> None:
    proposal = desk.propose("pause.json", "--target", desk.exchange, "--function", "pause")
    assert desk.sign(proposal, 2).exit_code == 0
    assert desk.sign(proposal, 0).exit_code == 0

    assert desk.send("execute", proposal).exit_code == 0

    assert desk.chain.exchange.functions.paused().call() is True
    status = desk.hdex("status", "--custody", desk.custody, "--rpc", desk.chain.url)
    assert status.exit_code == 0, status.output
    assert "threshold      2 of 3" in status.output and "nonce          3" in status.output
    assert (
        "daily limit    ETH: 0 base units (0: nothing may leave by a direct execute, only through the timelock), "
        "spent today 0"
    ) in status.output


@pytest.mark.parametrize("command", ["queue", "status"])
def test_queue_and_status_say_when_no_contract_is_at_the_custody_address(desk: Desk, command: str) -> None:
    empty = "0x" + "0c" * 20
    result = desk.hdex(command, "--custody", empty, "--rpc", desk.chain.url)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"hdex treasury {command}: no contract at {to_checksum_address(empty)} on chain 31337: check --custody"
    )


def test_a_proposal_whose_calldata_was_altered_after_signing_is_refused_by_show_and_sign(desk: Desk) -> None:
    proposal = desk.propose("fee.json", "--target", desk.exchange, "--function", "setFeeSchedule", "1500", "2500")
    reviewed = desk.reviewed_digest(proposal)
    assert desk.sign(proposal, 0).exit_code == 0
    data = json.loads(proposal.read_text())
    # 2500 -> 9000 in the scheduled setFeeSchedule call: the last argument word of the inner calldata
    data["message"]["data"] = data["message"]["data"].replace("09c4", "2328")
    proposal.write_text(json.dumps(data))
    before = proposal.read_text()

    shown = desk.hdex("show", str(proposal))
    signed = desk.sign(proposal, 1, digest=reviewed)

    for result in (shown, signed):
        assert result.exit_code == 1
        assert "does not match its fields" in result.stderr and "altered" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert proposal.read_text() == before


def test_a_proposal_for_another_chain_is_refused_by_sign_and_by_execute(desk: Desk) -> None:
    offline = [
        "propose", "--custody", desk.custody, "--target", desk.exchange, "--function", "pause",
        "--chain-id", "1", "--nonce", "2", "--out", "mainnet.json",
    ]  # fmt: skip
    assert desk.hdex(*offline).exit_code == 0

    signed = desk.sign(Path("mainnet.json"), 0)
    assert signed.exit_code == 1 and "for chain 1, expected chain 31337" in signed.stderr

    # Signed anyway by owners who pinned chain 1: the node's chain refuses it before anything is sent.
    reviewed = desk.reviewed_digest(Path("mainnet.json"))
    for owner in (0, 1):
        result = desk.hdex(
            "sign", "mainnet.json", "--keystore", str(desk.owner_keystores[owner]), "--chain-id", "1",
            "--custody", desk.custody, "--yes", "--digest", reviewed,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    executed = desk.send("execute", Path("mainnet.json"))
    assert executed.exit_code == 1 and "for chain 1, expected chain 31337" in executed.stderr


def test_a_proposal_for_another_contract_is_refused(desk: Desk) -> None:
    other = desk.chain.stack.contracts["WETH"]  # any address that is not our Custody
    offline = [
        "propose", "--custody", other, "--target", desk.exchange, "--function", "pause",
        "--chain-id", "31337", "--nonce", "2", "--out", "other.json",
    ]  # fmt: skip
    assert desk.hdex(*offline).exit_code == 0

    signed = desk.sign(Path("other.json"), 0)
    assert signed.exit_code == 1 and f"expected {desk.custody}" in signed.stderr
    executed = desk.hdex(
        "execute", "other.json", "--keystore", str(desk.sender_keystore), "--rpc", desk.chain.url,
        "--custody", desk.custody,
    )  # fmt: skip
    assert executed.exit_code == 1 and f"expected {desk.custody}" in executed.stderr


def test_collect_refuses_a_signer_who_is_not_an_owner(desk: Desk) -> None:
    from .conftest import write_keystore

    proposal = desk.propose("pause.json", "--target", desk.exchange, "--function", "pause")
    stranger = write_keystore(desk.folder / "stranger.json", DEV_KEYS[7])
    assert desk.hdex(
        "sign", str(proposal), "--keystore", str(stranger), "--chain-id", "31337", "--custody", desk.custody, "--yes",
        "--digest", desk.reviewed_digest(proposal),
    ).exit_code == 0

    result = desk.hdex("collect", str(proposal), "--out", "c.json", "--rpc", desk.chain.url)

    assert result.exit_code == 1 and "not a current owner" in result.stderr
    assert not Path("c.json").exists()
