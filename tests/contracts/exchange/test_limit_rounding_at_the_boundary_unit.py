"""Each limit is checked on the exact amounts, rounded for the signer: the last quote unit the limit allows
settles, the next one is skipped. 3 WETH at 2,000 USDC is 6,000 USDC, and one quote unit more or less is a
third of a price unit, so a limit rounded the operator's way (buy `floor`, sell `ceil`) would let it through."""

from conftest import E6, E18, PRICE_2000, assert_settled, skipped_errors
from exchange_signing import BUY, SELL, trade

BASE = 3 * E18
QUOTE_AT_LIMIT = 6000 * E6  # exactly BASE at PRICE_2000


def _balances(exchange, traders, tokens):
    return [exchange.balanceOf(t, token) for t in traders for token in tokens]


def test_a_buyer_pays_at_most_its_limit_to_the_last_quote_unit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, BASE, 1000 * E6)
    buy = book.order(bob, BUY, BASE, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, BASE, QUOTE_AT_LIMIT)]))


def test_skips_a_buy_one_quote_unit_above_its_limit(exchange, book, alice, bob, base_token, quote_token):
    sell = book.order(alice, SELL, BASE, 1000 * E6)
    buy = book.order(bob, BUY, BASE, PRICE_2000)
    before = _balances(exchange, (alice, bob), (base_token, quote_token))
    # (6000e6 + 1) * 1e18 / 3e18 = 2000e6 + 1/3: within the limit only if rounded down.
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, BASE, QUOTE_AT_LIMIT + 1)])
    assert skipped_errors(tx, exchange) == {
        0: ("LimitPriceViolated", {"orderHash": book.hash(buy), "limitPrice": PRICE_2000})
    }
    assert _balances(exchange, (alice, bob), (base_token, quote_token)) == before


def test_a_seller_receives_at_least_its_limit_to_the_last_quote_unit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, BASE, PRICE_2000)
    buy = book.order(bob, BUY, BASE, 3000 * E6)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(1, 0, BASE, QUOTE_AT_LIMIT)]))


def test_skips_a_sell_one_quote_unit_below_its_limit(exchange, book, alice, bob, base_token, quote_token):
    sell = book.order(alice, SELL, BASE, PRICE_2000)
    buy = book.order(bob, BUY, BASE, 3000 * E6)
    before = _balances(exchange, (alice, bob), (base_token, quote_token))
    # (6000e6 - 1) * 1e18 / 3e18 = 2000e6 - 1/3: at the limit only if rounded up.
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(1, 0, BASE, QUOTE_AT_LIMIT - 1)])
    assert skipped_errors(tx, exchange) == {
        0: ("LimitPriceViolated", {"orderHash": book.hash(sell), "limitPrice": PRICE_2000})
    }
    assert _balances(exchange, (alice, bob), (base_token, quote_token)) == before
