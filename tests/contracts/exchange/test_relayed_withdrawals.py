import pytest
from conftest import E6, reverts_with
from exchange_signing import Withdrawal, sign_withdrawal


@pytest.fixture
def signed(exchange, alice, quote_token, chain):
    def make(amount=100 * E6, max_fee=E6, nonce=1, expiry=2**40, recipient=None, key=None):
        w = Withdrawal(wallet=alice.address, token=quote_token.address, amount=amount, maxFee=max_fee,
                       recipient=recipient or alice.address, nonce=nonce, expiry=expiry)
        return w, sign_withdrawal(w, key or alice.key, chain.id, exchange.address)
    return make


def test_relays_a_signed_withdrawal_and_charges_the_fee(exchange, signed, alice, quote_token, operator,
                                                        fee_recipient):
    w, signature = signed()
    balance = exchange.balanceOf(alice, quote_token)
    fees = exchange.balanceOf(fee_recipient, quote_token)
    held = quote_token.balanceOf(alice.account)
    tx = exchange.withdraw(w.as_tuple(), signature, E6 // 2, {"from": operator})
    event = tx.events["Withdrawn"][0]
    assert (event["amount"], event["fee"], event["balance"]) == (100 * E6, E6 // 2, balance - 100 * E6)
    assert event["withdrawalHash"] == exchange.hashWithdrawal(w.as_tuple())
    assert exchange.balanceOf(alice, quote_token) == balance - 100 * E6
    assert exchange.balanceOf(fee_recipient, quote_token) == fees + E6 // 2
    assert quote_token.balanceOf(alice.account) == held + 100 * E6 - E6 // 2
    assert exchange.isWithdrawalProcessed(exchange.hashWithdrawal(w.as_tuple()))


def test_reverts_when_a_withdrawal_is_replayed(exchange, signed, operator):
    w, signature = signed()
    exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})
    with reverts_with("WithdrawalAlreadyProcessed"):
        exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})


def test_reverts_when_the_withdrawal_fee_exceeds_the_signed_max(exchange, signed, operator):
    w, signature = signed(max_fee=E6)
    with reverts_with("WithdrawalFeeTooHigh"):
        exchange.withdraw(w.as_tuple(), signature, E6 + 1, {"from": operator})


def test_reverts_when_the_withdrawal_expired(exchange, signed, operator, chain):
    w, signature = signed(expiry=chain[-1].timestamp - 1)  # before any block still to come
    with reverts_with("WithdrawalExpired"):
        exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})


def test_reverts_when_the_withdrawal_is_not_signed_by_the_wallet(exchange, signed, operator, bob):
    w, signature = signed(key=bob.key)
    with reverts_with("InvalidSignature"):
        exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})


def test_reverts_when_a_non_operator_relays_a_withdrawal(exchange, signed, alice):
    w, signature = signed()
    with reverts_with("ExchangeUnauthorizedOperator"):
        exchange.withdraw(w.as_tuple(), signature, 0, {"from": alice.account})


def test_reverts_when_the_wallet_cannot_cover_the_withdrawal(exchange, signed, operator, alice, quote_token):
    w, signature = signed(amount=exchange.balanceOf(alice, quote_token) + 1)
    with reverts_with("InsufficientBalance"):
        exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})
