"""Every vault path against the Solmate-style fixture set of misbehaving tokens."""

import pytest
from conftest import E18, reverts_with


@pytest.fixture(scope="module")
def tokens(TestERC20, MissingReturnToken, ReturnsFalseToken, FeeOnTransferToken, ReentrantToken, deployer, exchange,
           owners):
    deployed = {
        "standard": TestERC20.deploy("Standard", "STD", 18, {"from": deployer}),
        "missing_return": MissingReturnToken.deploy({"from": deployer}),
        "returns_false": ReturnsFalseToken.deploy({"from": deployer}),
        "fee_on_transfer": FeeOnTransferToken.deploy({"from": deployer}),
        "reentrant": ReentrantToken.deploy({"from": deployer}),
    }
    for token in deployed.values():
        owners.execute(exchange, exchange.setTokenListed.encode_input(token, True))
    return deployed


def _deposit(exchange, token, who, amount, deployer):
    token.mint(who, amount, {"from": deployer})
    token.approve(exchange, amount, {"from": who})
    return exchange.depositToken(token, amount, {"from": who})


@pytest.mark.parametrize("kind", ["standard", "missing_return"])
def test_deposits_and_exits_work_with_tokens_that_move_exactly_the_amount(kind, tokens, exchange, accounts, deployer,
                                                                          chain):
    token, who = tokens[kind], accounts[5]
    tx = _deposit(exchange, token, who, 5 * E18, deployer)
    assert tx.events["Deposited"][0]["amount"] == 5 * E18
    assert exchange.balanceOf(who, token) == 5 * E18 == token.balanceOf(exchange)
    exchange.requestExit({"from": who})
    chain.sleep(exchange.exitDelay() + 1)
    chain.mine()
    exchange.withdrawExited(token, {"from": who})
    assert exchange.balanceOf(who, token) == 0 == token.balanceOf(exchange)
    assert token.balanceOf(who) == 5 * E18


def test_reverts_when_a_token_returns_false(tokens, exchange, accounts, deployer):
    with reverts_with("SafeERC20FailedOperation"):
        _deposit(exchange, tokens["returns_false"], accounts[5], E18, deployer)
    assert exchange.balanceOf(accounts[5], tokens["returns_false"]) == 0


def test_reverts_when_a_token_takes_a_fee_on_transfer(tokens, exchange, accounts, deployer):
    with reverts_with("TokenTransferAmountMismatch"):
        _deposit(exchange, tokens["fee_on_transfer"], accounts[5], 100 * E18, deployer)
    assert exchange.balanceOf(accounts[5], tokens["fee_on_transfer"]) == 0


def test_reverts_when_a_token_reenters_a_deposit(tokens, exchange, accounts, deployer):
    token, who = tokens["reentrant"], accounts[5]
    token.mint(who, 2 * E18, {"from": deployer})
    token.approve(exchange, 2 * E18, {"from": who})
    token.arm(exchange, exchange.depositToken.encode_input(token, E18), {"from": who})
    with reverts_with("ReentrantTokenCallFailed"):
        exchange.depositToken(token, E18, {"from": who})
    assert exchange.balanceOf(who, token) == 0 == token.balanceOf(exchange)


def test_reverts_when_a_token_reenters_an_exit_withdrawal(tokens, exchange, accounts, deployer, chain):
    token, who = tokens["reentrant"], accounts[5]
    _deposit(exchange, token, who, 2 * E18, deployer)
    exchange.requestExit({"from": who})
    chain.sleep(exchange.exitDelay() + 1)
    chain.mine()
    # the token calls back into withdrawExited while the first one is sending
    token.arm(exchange, exchange.withdrawExited.encode_input(token), {"from": who})
    with reverts_with("ReentrantTokenCallFailed"):
        exchange.withdrawExited(token, {"from": who})
    assert exchange.balanceOf(who, token) == 2 * E18 == token.balanceOf(exchange)


def test_reverts_when_depositing_an_unlisted_token(TestERC20, exchange, accounts, deployer):
    token = TestERC20.deploy("Unlisted", "NO", 18, {"from": deployer})
    with reverts_with("TokenNotListed"):
        _deposit(exchange, token, accounts[5], E18, deployer)


def test_reverts_when_depositing_zero(tokens, exchange, accounts):
    with reverts_with("ZeroAmount"):
        exchange.depositToken(tokens["standard"], 0, {"from": accounts[5]})
    with reverts_with("ZeroAmount"):
        exchange.depositEther({"from": accounts[5], "value": 0})


def test_ether_deposits_credit_the_zero_address_token(exchange, accounts):
    tx = exchange.depositEther({"from": accounts[5], "value": 10**18})
    assert tx.events["Deposited"][0]["token"] == "0x" + "00" * 20
    assert exchange.balanceOf(accounts[5], "0x" + "00" * 20) == 10**18 == exchange.balance()
