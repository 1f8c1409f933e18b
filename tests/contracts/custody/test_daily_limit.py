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


def test_every_direct_outflow_of_the_called_token_counts_whatever_its_selector(
    custody, owners, deployer, accounts, chain, SelfPullToken, TransferAndCallToken, FeeOnTransferToken
):
    """The limit decoded `transfer` and `approve` only: WETH9's and DAI's `transferFrom` of the holder's own tokens
    (no allowance needed) or LINK's `transferAndCall` took the whole balance at once, past a zero limit. What
    leaves the Custody's balance of the called token counts, as it left (a fee-on-transfer token's full debit)."""
    pull = SelfPullToken.deploy({"from": deployer})
    call677 = TransferAndCallToken.deploy({"from": deployer})
    for token in (pull, call677):
        token.mint(custody, 1_000 * 10**18, {"from": deployer})
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(pull, pull.transferFrom.encode_input(custody, accounts[7], 1_000 * 10**18))
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(call677, call677.transferAndCall.encode_input(accounts[7], 1_000 * 10**18, b""))
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(pull, 100 * 10**18))
    owners.execute(pull, pull.transferFrom.encode_input(custody, accounts[7], 60 * 10**18))
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(pull, pull.transfer.encode_input(accounts[7], 41 * 10**18))
    owners.execute(pull, pull.transfer.encode_input(accounts[7], 40 * 10**18))
    assert pull.balanceOf(accounts[7]) == 100 * 10**18
    assert custody.spentToday(pull) == 100 * 10**18
    chain.sleep(24 * 3600)
    chain.mine()
    assert custody.spentToday(pull) == 0  # a new day
    with reverts_with("CustodyDailyLimitExceeded"):  # an allowance granted is spent, as an approve's
        owners.execute(pull, pull.increaseAllowance.encode_input(accounts[7], 101 * 10**18))
    owners.execute(pull, pull.increaseAllowance.encode_input(accounts[7], 100 * 10**18))

    fee_token = FeeOnTransferToken.deploy({"from": deployer})
    fee_token.mint(custody, 1_000 * 10**18, {"from": deployer})
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(fee_token, 100 * 10**18))
    owners.execute(fee_token, fee_token.transfer.encode_input(accounts[7], 100 * 10**18))  # 99 arrive, 100 left
    with reverts_with("CustodyDailyLimitExceeded"):
        owners.execute(fee_token, fee_token.transfer.encode_input(accounts[7], 1))


def test_an_inflow_or_a_call_to_a_contract_that_is_no_token_spends_nothing(custody, owners, quote_token, deployer):
    """A call that brings tokens in, or whose target answers no balance, is not an outflow of the target."""
    quote_token.mint(deployer, 10 * E6, {"from": deployer})
    quote_token.approve(custody, 10 * E6, {"from": deployer})
    owners.execute(quote_token, quote_token.transferFrom.encode_input(deployer, custody, 10 * E6))
    assert quote_token.balanceOf(custody) == 10 * E6
    owners.execute(custody, custody.hashOperation.encode_input(custody, 0, b"", b"\x00" * 32))  # a view, no token


def test_revoking_an_allowance_is_never_refused_by_the_limit(custody, owners, quote_token, deployer, accounts, chain):
    """Revoking an allowance (`approve(spender, 0)`) moves nothing, so no limit may refuse it: the incident response
    of lowering the limit below what went out today, then revoking a compromised spender, must work."""
    chain.sleep(24 * 3600 - chain.time() % (24 * 3600) + 60)  # just past a UTC midnight: the steps share one day
    chain.mine()
    quote_token.mint(custody, 1_000 * E6, {"from": deployer})
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(quote_token, 100 * E6))
    owners.execute(quote_token, quote_token.approve.encode_input(accounts[7], 60 * E6))
    owners.run_timelocked(custody, custody.setDailyLimit.encode_input(quote_token, 0), salt=b"\x01" * 32)
    assert custody.spentToday(quote_token) == 60 * E6
    owners.execute(quote_token, quote_token.approve.encode_input(accounts[7], 0))
    assert quote_token.allowance(custody, accounts[7]) == 0
    assert custody.spentToday(quote_token) == 60 * E6
