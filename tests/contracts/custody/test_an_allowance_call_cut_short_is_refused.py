"""A direct `approve` or `increaseAllowance` whose calldata is too short for its two arguments is refused: a token
compiled before Solidity 0.5 (LINK) reads the missing bytes as zeros and grants the allowance, while the daily limit
counted an allowance only from calldata long enough to decode (a 67-byte approve of 10**24 passed a zero limit)."""

from pathlib import Path

import pytest
from brownie import compile_source
from conftest import revert_data, reverts_with
from eth_abi import encode
from eth_utils import keccak

from custody.approvals import sign_all

APPROVE = keccak(text="approve(address,uint256)")[:4]
INCREASE_ALLOWANCE = keccak(text="increaseAllowance(address,uint256)")[:4]
TOO_SHORT = keccak(text="CustodyCalldataTooShort(bytes4,uint256,uint256)")[:4]
AMOUNT = 10**24  # its lowest byte is zero: cut off, a zero-padding token reads the very same amount


@pytest.fixture(scope="module")
def padding_token(deployer):
    source = (Path(__file__).parent / "fixtures" / "ZeroPaddingToken.sol").read_text()
    return compile_source(source, evm_version="cancun").ZeroPaddingToken.deploy({"from": deployer})


def allowance_call(selector, spender, amount):
    return selector + encode(["address", "uint256"], [str(spender), amount])


def test_a_token_compiled_before_solidity_0_5_grants_an_allowance_from_calldata_cut_short(padding_token, accounts):
    """What the refusal guards against: the fixture takes a 67-byte approve for the whole one."""
    short = allowance_call(APPROVE, accounts[7], AMOUNT)[:-1]
    accounts[1].transfer(padding_token, 0, data="0x" + short.hex())
    assert padding_token.allowance(accounts[1], accounts[7]) == AMOUNT


@pytest.mark.parametrize("selector", [APPROVE, INCREASE_ALLOWANCE], ids=["approve", "increaseAllowance"])
def test_reverts_when_a_direct_allowance_call_is_too_short_for_its_arguments(
    custody, owners, padding_token, accounts, deployer, selector
):
    # a limit the whole allowance fits in: the short call is refused, not merely counted
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(padding_token, 2 * AMOUNT))
    whole = allowance_call(selector, accounts[7], AMOUNT)
    for short in (whole[:-1], whole[:36], selector):
        with reverts_with("CustodyCalldataTooShort"):
            owners.execute(padding_token, short)
    assert padding_token.allowance(custody, accounts[7]) == 0
    assert custody.spentToday(padding_token) == 0

    tx = owners.transaction(padding_token, whole[:-1])
    signatures = sign_all(tx, owners.keys)
    reason = revert_data(custody.execute, tx.target, 0, tx.data, tx.deadline, signatures, sender=deployer)
    assert reason == TOO_SHORT + encode(["bytes4", "uint256", "uint256"], [selector, 67, 68])

    owners.execute(padding_token, whole)  # the whole call goes through, and counts
    assert padding_token.allowance(custody, accounts[7]) == AMOUNT
    assert custody.spentToday(padding_token) == AMOUNT
