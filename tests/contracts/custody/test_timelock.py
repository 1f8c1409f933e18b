from conftest import TIMELOCK_DELAY, reverts_with

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
