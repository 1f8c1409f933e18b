from conftest import E6, reverts_with


def test_reverts_when_a_direct_outflow_exceeds_the_daily_limit(custody, owners, quote_token, deployer, accounts):
    quote_token.mint(custody, 1_000 * E6, {"from": deployer})
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(quote_token, quote_token.transfer.encode_input(accounts[7], 1))


def test_direct_outflows_are_allowed_up_to_the_limit_each_day(custody, owners, quote_token, deployer, accounts,
                                                              chain):
    quote_token.mint(custody, 1_000 * E6, {"from": deployer})
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(quote_token, 100 * E6))
    owners.execute(quote_token, quote_token.transfer.encode_input(accounts[7], 60 * E6))
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(quote_token, quote_token.approve.encode_input(accounts[7], 41 * E6))
    owners.execute(quote_token, quote_token.transfer.encode_input(accounts[7], 40 * E6))
    chain.sleep(24 * 3600)
    chain.mine()
    owners.execute(quote_token, quote_token.transfer.encode_input(accounts[7], 100 * E6))
    assert quote_token.balanceOf(accounts[7]) == 200 * E6


def test_ether_outflows_count_against_the_ether_limit(custody, owners, accounts, deployer):
    deployer.transfer(custody, 10**18)
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(accounts[7], b"", value=1)


def test_timelocked_outflows_are_not_limited(custody, owners, quote_token, deployer, accounts):
    quote_token.mint(custody, 1_000 * E6, {"from": deployer})
    owners.run_timelocked(quote_token, quote_token.transfer.encode_input(accounts[7], 1_000 * E6))
    assert quote_token.balanceOf(accounts[7]) == 1_000 * E6


def test_reverts_when_the_limit_is_raised_without_the_timelock(custody, owners, quote_token):
    with reverts_with("CustodyCallFailed"):
        owners.execute(custody, custody.setDailyLimit.encode_input(quote_token, 10**30))
