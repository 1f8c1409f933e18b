"""Owners holding the threshold (2 of 3) try to run a timelocked Exchange call at once by smuggling a direct
`execute` into the window where Custody reports a scheduled call: right after one in the same transaction
(the flag must be cleared when the scheduled call returns) and inside one (`execute` and `executeScheduled`
share a reentrancy guard). The Exchange's timelock check refuses both and the fee schedule does not change."""

from pathlib import Path

import pytest
from brownie import compile_source
from conftest import (
    MAKER_FEE_RATE,
    TAKER_FEE_RATE,
    TIMELOCK_DELAY,
    revert_data,
    reverts_with,
    selector,
    unwrap_custody_failure,
)

from custody.approvals import sign_all

HARMLESS_SALT = b"\x11" * 32
SMUGGLER_SALT = b"\x12" * 32


@pytest.fixture(scope="module")
def sequencer(deployer):
    source = (Path(__file__).parent / "fixtures" / "CallSequencer.sol").read_text()
    return compile_source(source, evm_version="cancun").CallSequencer.deploy({"from": deployer})


def _direct_fee_change(owners, exchange, nonce, deadline):
    """Custody.execute calldata for an owner-approved setFeeSchedule(0, 0), signed for `nonce`."""
    tx = owners.transaction(exchange, exchange.setFeeSchedule.encode_input(0, 0), nonce=nonce, deadline=deadline)
    return owners.custody.execute.encode_input(tx.target, 0, tx.data, tx.deadline, sign_all(tx, owners.keys))


def _fee_schedule(exchange):
    return exchange.makerFeeRate(), exchange.takerFeeRate()


def test_a_direct_execute_right_after_a_scheduled_call_is_not_timelocked(custody, exchange, owners, sequencer, chain):
    harmless = exchange.setExitDelay.encode_input(7200)
    owners.schedule(exchange, harmless, salt=HARMLESS_SALT)
    chain.sleep(TIMELOCK_DELAY + 1)
    chain.mine()
    direct = _direct_fee_change(owners, exchange, custody.nonce(), chain[-1].timestamp + 3600)
    run = (
        [custody, custody],
        [custody.executeScheduled.encode_input(exchange, 0, harmless, HARMLESS_SALT), direct],
    )

    raw = revert_data(sequencer.run, *run, sender=owners.sender)
    assert unwrap_custody_failure(raw) == selector(exchange, "ExchangeCallNotTimelocked")
    with reverts_with("CustodyCallFailed"):
        sequencer.run(*run, {"from": owners.sender})
    assert _fee_schedule(exchange) == (MAKER_FEE_RATE, TAKER_FEE_RATE)
    assert exchange.exitDelay() != 7200  # the whole transaction was undone


def test_a_direct_execute_inside_a_scheduled_call_is_refused(custody, exchange, owners, sequencer, chain):
    deadline = chain[-1].timestamp + TIMELOCK_DELAY + 3600
    # Scheduling spends one Custody nonce, so the smuggled approval is signed for the next one.
    direct = _direct_fee_change(owners, exchange, custody.nonce() + 1, deadline)
    smuggler = sequencer.run.encode_input([custody], [direct])
    owners.schedule(sequencer, smuggler, salt=SMUGGLER_SALT)
    chain.sleep(TIMELOCK_DELAY + 1)
    chain.mine()

    raw = revert_data(custody.executeScheduled, sequencer, 0, smuggler, SMUGGLER_SALT, sender=owners.sender)
    assert unwrap_custody_failure(raw) == selector(custody, "ReentrancyGuardReentrantCall")
    with reverts_with("CustodyCallFailed"):
        custody.executeScheduled(sequencer, 0, smuggler, SMUGGLER_SALT, {"from": owners.sender})
    assert _fee_schedule(exchange) == (MAKER_FEE_RATE, TAKER_FEE_RATE)
