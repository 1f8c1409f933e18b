import pytest
from conftest import custody_inner_error, reverts_with, selector


def test_reverts_when_anyone_but_the_custody_pauses(exchange, accounts):
    with reverts_with("ExchangeUnauthorizedAdmin"):
        exchange.pause({"from": accounts[0]})


@pytest.mark.parametrize("call", [
    ("addOperator", lambda a: [a[7]]),
    ("setFeeRecipient", lambda a: [a[7]]),
    ("setFeeSchedule", lambda a: [0, 0]),
    ("setExitDelay", lambda a: [7200]),
    ("setAdmin", lambda a: [a[7]]),
    ("setPriceFeed", lambda a: [a[7], a[8], a[9], 3600]),
])
def test_reverts_when_a_harmful_admin_call_skips_the_timelock(call, exchange, owners, accounts):
    name, args = call
    data = getattr(exchange, name).encode_input(*args(accounts))
    assert custody_inner_error(owners, exchange, data) == selector(exchange, "ExchangeCallNotTimelocked")
    with reverts_with("CustodyCallFailed"):
        owners.execute(exchange, data)


def test_harmful_admin_calls_take_effect_through_the_timelock(exchange, owners, accounts):
    owners.run_timelocked(exchange, exchange.addOperator.encode_input(accounts[7]), salt=b"\x01" * 32)
    owners.run_timelocked(exchange, exchange.setFeeSchedule.encode_input(5, 6), salt=b"\x02" * 32)
    owners.run_timelocked(exchange, exchange.setFeeRecipient.encode_input(accounts[8]), salt=b"\x03" * 32)
    owners.run_timelocked(exchange, exchange.setExitDelay.encode_input(7200), salt=b"\x04" * 32)
    assert exchange.isOperator(accounts[7])
    assert (exchange.makerFeeRate(), exchange.takerFeeRate()) == (5, 6)
    assert exchange.feeRecipient() == accounts[8]
    assert exchange.exitDelay() == 7200


def test_immediate_admin_calls_work_without_the_timelock(exchange, owners, base_token, operator, listed):
    tx = owners.execute(exchange, exchange.pause.encode_input())
    assert exchange.paused()
    owners.execute(exchange, exchange.unpause.encode_input())
    owners.execute(exchange, exchange.setTokenListed.encode_input(base_token, False))
    assert not exchange.isTokenListed(base_token)
    owners.execute(exchange, exchange.removeOperator.encode_input(operator))
    assert not exchange.isOperator(operator)
    assert tx.events["PauseSet"][0]["paused"] is True


def test_the_admin_is_handed_over_through_the_timelock(exchange, owners, accounts):
    owners.run_timelocked(exchange, exchange.setAdmin.encode_input(accounts[7]))
    assert exchange.admin() == accounts[7]
