"""The buyer's quote balance is checked like the seller's base balance: a buyer who cannot pay is skipped and
nothing moves, even when the seller has the base (without the check, the debit would wrap around and mint
quote)."""

import pytest
from conftest import DEV_KEYS, E6, E18, PRICE_2000, Trader, _fund, skipped_errors
from exchange_signing import BUY, SELL, trade

QUOTE_HELD = 1999 * E6  # one USDC short of 1 WETH at 2,000


@pytest.fixture(scope="module")
def poor_buyer(accounts, exchange, quote_token, deployer, listed):
    buyer = Trader(accounts[9], DEV_KEYS[9])
    _fund(exchange, quote_token, buyer, QUOTE_HELD, deployer)
    return buyer


@pytest.mark.parametrize("buyer_is_maker", [True, False], ids=["buyer_maker", "buyer_taker"])
def test_skips_a_buyer_short_of_quote_while_the_seller_has_the_base(
    buyer_is_maker, exchange, book, alice, poor_buyer, base_token, quote_token
):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(poor_buyer, BUY, E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, poor_buyer.key)]
    wallets = (alice, poor_buyer)
    before = [exchange.balanceOf(w, t) for w in wallets for t in (base_token, quote_token)]
    assert exchange.balanceOf(alice, base_token) >= E18

    tx = book.settle(legs, [trade(1, 0, E18, 2000 * E6) if buyer_is_maker else trade(0, 1, E18, 2000 * E6)])

    assert skipped_errors(tx, exchange) == {0: ("InsufficientBalance", {
        "wallet": poor_buyer.address, "token": quote_token.address, "balance": QUOTE_HELD, "needed": 2000 * E6,
    })}
    assert [exchange.balanceOf(w, t) for w in wallets for t in (base_token, quote_token)] == before
    assert "FeesCollected" not in tx.events
