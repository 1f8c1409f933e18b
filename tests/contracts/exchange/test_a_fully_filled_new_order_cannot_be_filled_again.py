"""An order filled completely in the batch it first trades in keeps no fill counter, only its nonce's bit; the bit
refuses any later fill of it, signed again or not, and of any other order of its maker with that nonce."""

from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped, nonce_used, order_status
from exchange_signing import BUY, SELL, trade

QUOTE = 2000 * E6


def _balances(exchange, book, *traders):
    return [exchange.balanceOf(t.address, token) for t in traders for token in (book.base, book.quote)]


def test_a_new_order_filled_completely_leaves_only_its_nonce_bit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000, nonce=300)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000, nonce=300)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]))
    assert nonce_used(exchange, sell) and order_status(exchange, book.hash(sell)) == (0, False, False)
    # the buy order was left partly filled: its counter as well as its bit
    assert nonce_used(exchange, buy) and order_status(exchange, book.hash(buy)) == (E18, True, False)
    # neighbouring nonces in the same word, and the same nonce of another wallet, stay unused
    assert [bool(exchange.isNonceUsed(alice, n)) for n in (299, 301, 511, 256)] == [False] * 4
    assert not exchange.isNonceUsed(book.operator, 300)


def test_replaying_a_fully_filled_order_with_its_signature_is_skipped_and_moves_nothing(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]))
    before = _balances(exchange, book, alice, bob)
    tx = book.settle([(sell, alice.key), (buy, b"")], [trade(0, 1, E18, QUOTE)])
    assert_skipped(tx, exchange, "OrderNonceUsed")
    assert _balances(exchange, book, alice, bob) == before
    assert order_status(exchange, book.hash(buy)) == (E18, True, False)


def test_replaying_a_fully_filled_order_without_a_signature_is_skipped(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    tx = book.settle([(sell, b""), (buy, b"")], [trade(0, 1, 1, 2000)])
    assert_skipped(tx, exchange, "OrderNonceUsed")


def test_a_fully_filled_taker_order_cannot_be_filled_again_by_new_makers(exchange, book, traders):
    alice, bob, carol = traders[:3]
    buy = book.order(alice, BUY, 2 * E18, PRICE_2000)
    sells = [book.order(t, SELL, E18, PRICE_2000) for t in (bob, carol)]
    book.settle(
        [(buy, alice.key), (sells[0], bob.key), (sells[1], carol.key)],
        [trade(1, 0, E18, QUOTE), trade(2, 0, E18, QUOTE)],
    )
    fresh = book.order(bob, SELL, E18, PRICE_2000)
    tx = book.settle([(buy, alice.key), (fresh, bob.key)], [trade(1, 0, E18, QUOTE)])
    assert_skipped(tx, exchange, "OrderNonceUsed")


def test_another_order_of_the_maker_with_a_used_nonce_is_refused(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000, nonce=42)
    buy = book.order(bob, BUY, 3 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    # same nonce, another amount: another order hash, signed by alice, but its nonce is spent
    again = book.order(alice, SELL, 2 * E18, PRICE_2000, nonce=42)
    tx = book.settle([(again, alice.key), (buy, b"")], [trade(0, 1, E18, QUOTE)])
    assert_skipped(tx, exchange, "OrderNonceUsed")
    # the same nonce of another wallet is another bit
    other = book.order(bob, SELL, E18, PRICE_2000, nonce=42)
    alice_buy = book.order(alice, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(other, bob.key), (alice_buy, alice.key)], [trade(0, 1, E18, QUOTE)]))
