from conftest import E6, E18, EXIT_DELAY, PRICE_2000, assert_skipped, reverts_with, selector, timelocked_inner_error
from exchange_signing import BUY, SELL, trade


def test_reverts_when_withdrawing_before_the_exit_delay(exchange, alice, base_token, chain):
    tx = exchange.requestExit({"from": alice.account})
    available_at = tx.events["ExitRequested"][0]["availableAt"]
    assert available_at == tx.timestamp + EXIT_DELAY
    chain.sleep(EXIT_DELAY - 60)
    chain.mine()
    with reverts_with("ExitNotYetAvailable"):
        exchange.withdrawExited(base_token, {"from": alice.account})


def test_withdraws_the_whole_balance_after_the_exit_delay_without_the_operator(exchange, alice, base_token, chain):
    balance = exchange.balanceOf(alice, base_token)
    held = base_token.balanceOf(alice.account)
    exchange.requestExit({"from": alice.account})
    chain.sleep(EXIT_DELAY + 1)
    chain.mine()
    tx = exchange.withdrawExited(base_token, {"from": alice.account})
    assert tx.events["ExitWithdrawn"][0]["amount"] == balance
    assert exchange.balanceOf(alice, base_token) == 0
    assert base_token.balanceOf(alice.account) == held + balance


def test_reverts_when_withdrawing_without_an_exit(exchange, alice, base_token):
    with reverts_with("ExitNotRequested"):
        exchange.withdrawExited(base_token, {"from": alice.account})


def test_skips_settlement_for_a_wallet_that_started_an_exit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    exchange.requestExit({"from": alice.account})
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "WalletExited")


def test_skips_settlement_of_a_seen_order_once_its_maker_exits(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    exchange.requestExit({"from": bob.account})
    tx = book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "WalletExited")


def test_exits_work_while_paused(exchange, owners, alice, quote_token, chain):
    owners.execute(exchange, exchange.pause.encode_input())
    exchange.requestExit({"from": alice.account})
    chain.sleep(EXIT_DELAY + 1)
    chain.mine()
    exchange.withdrawExited(quote_token, {"from": alice.account})
    assert exchange.balanceOf(alice, quote_token) == 0


def test_cancelling_an_exit_lets_the_operator_settle_again(exchange, book, alice, bob):
    exchange.requestExit({"from": alice.account})
    with reverts_with("ExitAlreadyRequested"):
        exchange.requestExit({"from": alice.account})
    exchange.cancelExit({"from": alice.account})
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert len(tx.events["TradeSettled"]) == 1


def test_a_running_exit_keeps_its_delay_when_the_admin_changes_it(exchange, owners, alice, base_token, chain):
    tx = exchange.requestExit({"from": alice.account})
    available_at = tx.events["ExitRequested"][0]["availableAt"]
    owners.run_timelocked(exchange, exchange.setExitDelay.encode_input(exchange.MAX_EXIT_DELAY()))
    assert chain.time() >= available_at
    exchange.withdrawExited(base_token, {"from": alice.account})


def test_reverts_when_the_exit_delay_is_set_outside_its_bounds(exchange, owners):
    for i, delay in enumerate((exchange.MIN_EXIT_DELAY() - 1, exchange.MAX_EXIT_DELAY() + 1)):
        data = exchange.setExitDelay.encode_input(delay)
        inner = timelocked_inner_error(owners, exchange, data, salt=bytes([i]) * 32)
        assert inner == selector(exchange, "ExitDelayOutOfBounds")
