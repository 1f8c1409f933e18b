from conftest import E6, E18, PRICE_2000, reverts_with
from exchange_signing import BUY, SELL, Withdrawal, sign_withdrawal, trade

ETHER = "0x" + "00" * 20


def test_the_fee_recipient_withdraws_collected_fees(exchange, book, alice, bob, quote_token, fee_recipient):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6, 2 * E6, 0)])
    fees = exchange.balanceOf(fee_recipient, quote_token)
    held = quote_token.balanceOf(fee_recipient)
    tx = exchange.withdrawFees(quote_token, fees, {"from": fee_recipient})
    assert tx.events["FeesWithdrawn"][0]["amount"] == fees
    assert exchange.balanceOf(fee_recipient, quote_token) == 0
    assert quote_token.balanceOf(fee_recipient) == held + fees


def test_reverts_when_someone_else_withdraws_fees(exchange, quote_token, alice):
    with reverts_with("ExchangeUnauthorizedFeeRecipient"):
        exchange.withdrawFees(quote_token, 1, {"from": alice.account})


def test_relays_an_ether_withdrawal(exchange, alice, operator, chain, accounts):
    exchange.depositEther({"from": alice.account, "value": E18})
    recipient = accounts[9]
    before = recipient.balance()
    w = Withdrawal(wallet=alice.address, token=ETHER, amount=E18 // 2, maxFee=10**15, recipient=recipient.address)
    signature = sign_withdrawal(w, alice.key, chain.id, exchange.address)
    exchange.withdraw(w.as_tuple(), signature, 10**15, {"from": operator})
    assert recipient.balance() == before + E18 // 2 - 10**15
    assert exchange.balanceOf(alice, ETHER) == E18 // 2
    assert exchange.balance() == E18 - E18 // 2 + 10**15  # the fee stays in the vault, credited to the recipient


def test_an_exited_wallet_takes_its_ether_back(exchange, alice, chain):
    exchange.depositEther({"from": alice.account, "value": E18})
    exchange.requestExit({"from": alice.account})
    chain.sleep(exchange.exitDelay() + 1)
    chain.mine()
    before = alice.account.balance()
    tx = exchange.withdrawExited(ETHER, {"from": alice.account})
    assert alice.account.balance() == before + E18 - tx.gas_used * tx.gas_price
    assert exchange.balanceOf(alice, ETHER) == 0
