import pytest
from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped
from exchange_signing import BUY, SELL, Withdrawal, sign_withdrawal, trade


class WalletTrader:
    def __init__(self, wallet, owner_key):
        self.address = wallet.address
        self.key = owner_key


def _fund_wallet(wallet, owner, exchange, token, amount, deployer):
    token.mint(wallet, amount, {"from": deployer})
    wallet.call(token, 0, token.approve.encode_input(exchange, amount), {"from": owner.account})
    wallet.call(exchange, 0, exchange.depositToken.encode_input(token, amount), {"from": owner.account})


@pytest.fixture(scope="module")
def good_wallet(ERC1271Wallet, exchange, carol_owner, base_token, deployer):
    wallet = ERC1271Wallet.deploy(carol_owner.account, {"from": deployer})
    _fund_wallet(wallet, carol_owner, exchange, base_token, 10 * E18, deployer)
    return wallet


@pytest.fixture(scope="module")
def carol_owner(traders):
    return traders[2]


def test_settles_an_order_signed_by_an_eip1271_wallet(exchange, book, good_wallet, carol_owner, bob, base_token):
    maker = WalletTrader(good_wallet, carol_owner.key)
    sell = book.order(maker, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(sell, carol_owner.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)]))
    assert exchange.balanceOf(good_wallet, base_token) == 9 * E18


def test_skips_an_eip1271_order_the_wallet_refuses(exchange, book, good_wallet, bob):
    maker = WalletTrader(good_wallet, bob.key)  # signed by someone who is not the wallet's owner
    sell = book.order(maker, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, bob.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


@pytest.mark.parametrize("mode,what", [(0, "wrong magic"), (1, "magic plus extra data"), (2, "revert"),
                                       (3, "empty return"), (4, "magic with dirty low bytes")])
def test_skips_an_order_of_a_misbehaving_eip1271_wallet(mode, what, BadERC1271Wallet, exchange, book, carol_owner,
                                                        bob, base_token, deployer):
    wallet = BadERC1271Wallet.deploy(carol_owner.account, mode, {"from": deployer})
    _fund_wallet(wallet, carol_owner, exchange, base_token, E18, deployer)
    maker = WalletTrader(wallet, carol_owner.key)
    sell = book.order(maker, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, carol_owner.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


def test_relays_a_withdrawal_signed_by_an_eip1271_wallet(exchange, good_wallet, carol_owner, base_token, operator,
                                                         chain):
    w = Withdrawal(wallet=good_wallet.address, token=base_token.address, amount=E18, maxFee=0,
                   recipient=carol_owner.address)
    signature = sign_withdrawal(w, carol_owner.key, chain.id, exchange.address)
    exchange.withdraw(w.as_tuple(), signature, 0, {"from": operator})
    assert base_token.balanceOf(carol_owner.account) >= E18
