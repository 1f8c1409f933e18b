"""A withdrawal can never send to the zero address or to the Exchange itself, even signed and relayed by the operator.

Tokens sent there are burnt or stuck in the vault with no balance owning them (the vault would then hold
more than its balances add up to, and reconciliation fails).
"""

import pytest
from conftest import E6, E18, revert_data, reverts_with, selector
from eth_abi import encode
from exchange_signing import Withdrawal, sign_withdrawal

ETHER = "0x" + "00" * 20
ZERO_ADDRESS = "0x" + "00" * 20


def _recipient(name, exchange):
    return ZERO_ADDRESS if name == "zero address" else exchange.address


def _token(name, quote_token):
    return ETHER if name == "ether" else quote_token.address


@pytest.mark.parametrize("token_name", ["usdc", "ether"])
@pytest.mark.parametrize("recipient_name", ["zero address", "the exchange"])
def test_reverts_when_a_relayed_withdrawal_sends_to_the_zero_address_or_the_exchange(
    exchange, alice, operator, quote_token, chain, recipient_name, token_name
):
    token = _token(token_name, quote_token)
    if token == ETHER:
        exchange.depositEther({"from": alice.account, "value": E18})
    w = Withdrawal(wallet=alice.address, token=token, amount=100 * E6, maxFee=E6,
                   recipient=_recipient(recipient_name, exchange))  # fmt: skip
    signature = sign_withdrawal(w, alice.key, chain.id, exchange.address)
    digest = exchange.hashWithdrawal(w.as_tuple())
    balance = exchange.balanceOf(alice, token)
    held = exchange.balance() if token == ETHER else quote_token.balanceOf(exchange)

    with reverts_with("WithdrawalRecipientInvalid"):
        exchange.withdraw(w.as_tuple(), signature, E6, {"from": operator})

    assert exchange.balanceOf(alice, token) == balance
    assert (exchange.balance() if token == ETHER else quote_token.balanceOf(exchange)) == held
    assert not exchange.isWithdrawalProcessed(digest)


def test_the_revert_names_the_withdrawal_and_the_recipient(exchange, alice, operator, quote_token, chain):
    w = Withdrawal(wallet=alice.address, token=quote_token.address, amount=100 * E6, maxFee=0,
                   recipient=exchange.address)  # fmt: skip
    signature = sign_withdrawal(w, alice.key, chain.id, exchange.address)
    digest = bytes(exchange.hashWithdrawal(w.as_tuple()))
    raw = revert_data(exchange.withdraw, w.as_tuple(), signature, 0, sender=operator)
    expected = bytes.fromhex(selector(exchange, "WithdrawalRecipientInvalid")[2:])
    assert raw == expected + encode(["bytes32", "address"], [digest, exchange.address])
