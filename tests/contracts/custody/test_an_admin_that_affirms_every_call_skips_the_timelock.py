"""What the off-chain watch on the Exchange's admin is for (`operator.admin_not_custody`, the dApp's "The exchange's
admin is not timelocked"): the Exchange asks its admin whether a timelocked call is a scheduled one, so once the
admin is handed to a contract that always says yes, fees change at once. Only the hand-over itself waits out the
timelock (and is announced meanwhile); nothing after it does."""

from pathlib import Path

import pytest
from brownie import compile_source
from conftest import MAKER_FEE_RATE, TAKER_FEE_RATE

HAND_OVER_SALT = b"\x13" * 32


@pytest.fixture(scope="module")
def affirming(deployer):
    source = (Path(__file__).parent / "fixtures" / "AffirmingAdmin.sol").read_text()
    return compile_source(source, evm_version="cancun").AffirmingAdmin.deploy(deployer, {"from": deployer})


def test_an_admin_that_affirms_every_call_changes_fees_at_once_once_it_was_handed_over(
    exchange, owners, affirming, deployer
):
    owners.run_timelocked(exchange, exchange.setAdmin.encode_input(affirming), salt=HAND_OVER_SALT)
    assert exchange.admin() == affirming
    assert (exchange.makerFeeRate(), exchange.takerFeeRate()) == (MAKER_FEE_RATE, TAKER_FEE_RATE)

    affirming.call(exchange, exchange.setFeeSchedule.encode_input(0, 0), {"from": deployer})  # no schedule, no wait
    assert (exchange.makerFeeRate(), exchange.takerFeeRate()) == (0, 0)
