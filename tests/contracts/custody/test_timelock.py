from brownie import web3
from conftest import TIMELOCK_DELAY, revert_data, reverts_with, selector
from eth_abi import encode

SALT = b"\x00" * 32


def test_reverts_when_a_scheduled_call_is_not_yet_due(custody, owners, exchange, accounts, chain):
    data = exchange.addOperator.encode_input(accounts[7])
    tx = owners.schedule(exchange, data)
    event = tx.events["CallScheduled"][0]
    assert event["readyAt"] == tx.timestamp + TIMELOCK_DELAY
    chain.sleep(TIMELOCK_DELAY - 60)
    chain.mine()
    with reverts_with("CustodyOperationNotReady"):
        custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[0]})


def test_a_due_call_runs_once_for_anyone(custody, owners, exchange, accounts, chain):
    data = exchange.addOperator.encode_input(accounts[7])
    owners.schedule(exchange, data)
    chain.sleep(TIMELOCK_DELAY + 1)
    chain.mine()
    custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[9]})
    assert exchange.isOperator(accounts[7])
    with reverts_with("CustodyOperationNotScheduled"):
        custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[9]})


GRACE_PERIOD = 14 * 24 * 3600


def test_a_due_call_runs_until_the_grace_period_ends_and_then_expires(custody, owners, exchange, accounts, chain):
    """Anyone may run a due call: one the owners forgot must not stay runnable for years."""
    assert custody.GRACE_PERIOD() == GRACE_PERIOD
    data = exchange.addOperator.encode_input(accounts[7])
    tx = owners.schedule(exchange, data)
    due = tx.events["CallScheduled"][0]["readyAt"]
    op = custody.hashOperation(exchange, 0, data, SALT)
    chain.sleep(TIMELOCK_DELAY + GRACE_PERIOD + 1)
    chain.mine()
    raw = revert_data(custody.executeScheduled, exchange, 0, data, SALT, sender=accounts[9])
    expired = encode(["bytes32", "uint256"], [bytes(op), due + GRACE_PERIOD])
    assert raw == bytes.fromhex(selector(custody, "CustodyOperationExpired")[2:]) + expired
    with reverts_with("CustodyOperationExpired"):
        custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[9]})
    assert not exchange.isOperator(accounts[7])
    assert custody.readyAt(op) == due  # still scheduled: the owners may cancel it, or schedule it again


def test_a_call_runs_at_the_last_second_of_its_grace_period(custody, owners, exchange, accounts):
    data = exchange.addOperator.encode_input(accounts[7])
    due = owners.schedule(exchange, data).events["CallScheduled"][0]["readyAt"]
    web3.provider.make_request("evm_setNextBlockTimestamp", [due + GRACE_PERIOD])  # the call's block
    custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[9]})
    assert exchange.isOperator(accounts[7])


def test_an_expired_call_is_scheduled_again_with_a_new_delay_or_cancelled(custody, owners, exchange, accounts, chain):
    data = exchange.addOperator.encode_input(accounts[7])
    op = custody.hashOperation(exchange, 0, data, SALT)
    owners.schedule(exchange, data)
    with reverts_with("CustodyCallFailed"):  # scheduled and not expired: once only
        owners.schedule(exchange, data)
    chain.sleep(TIMELOCK_DELAY + GRACE_PERIOD + 1)
    chain.mine()

    tx = owners.schedule(exchange, data)
    assert custody.readyAt(op) == tx.timestamp + TIMELOCK_DELAY
    with reverts_with("CustodyOperationNotReady"):
        custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[9]})
    chain.sleep(TIMELOCK_DELAY + GRACE_PERIOD + 1)
    chain.mine()
    owners.execute(custody, custody.cancel.encode_input(op))
    assert custody.readyAt(op) == 0


def test_a_cancelled_call_never_runs(custody, owners, exchange, accounts, chain):
    data = exchange.addOperator.encode_input(accounts[7])
    owners.schedule(exchange, data)
    op = custody.hashOperation(exchange, 0, data, SALT)
    owners.execute(custody, custody.cancel.encode_input(op))
    chain.sleep(TIMELOCK_DELAY + 1)
    chain.mine()
    with reverts_with("CustodyOperationNotScheduled"):
        custody.executeScheduled(exchange, 0, data, SALT, {"from": accounts[0]})


def test_reverts_when_scheduling_without_approvals(custody, exchange, accounts):
    with reverts_with("CustodyUnauthorizedCaller"):
        custody.schedule(exchange, 0, exchange.pause.encode_input(), SALT, {"from": accounts[2]})


def test_the_timelock_flag_is_only_set_during_a_scheduled_call(custody):
    assert custody.isExecutingScheduledCall() is False


def test_the_delay_changes_only_through_the_timelock(custody, owners):
    with reverts_with("CustodyCallFailed"):
        owners.execute(custody, custody.setTimelockDelay.encode_input(2 * TIMELOCK_DELAY))
    owners.run_timelocked(custody, custody.setTimelockDelay.encode_input(2 * TIMELOCK_DELAY))
    assert custody.timelockDelay() == 2 * TIMELOCK_DELAY


def test_reverts_when_the_delay_is_out_of_bounds(Custody, accounts, deployer):
    for delay in (60, 31 * 24 * 3600):
        with reverts_with("CustodyDelayOutOfBounds"):
            Custody.deploy([accounts[2]], 1, delay, {"from": deployer})
