"""A cancel by hash and a nonce floor refuse an order whether it is new, partly filled (a counter) or filled
completely in one batch (only its nonce's bit); a cancel also uses the order's nonce."""

from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped, nonce_used, order_status
from exchange_signing import BUY, SELL, trade

QUOTE = 2000 * E6


def test_cancelling_a_new_order_uses_its_nonce_and_marks_its_counter_cancelled(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    exchange.cancelOrders([sell.as_tuple()], {"from": alice.account})
    assert nonce_used(exchange, sell) and order_status(exchange, book.hash(sell)) == (0, False, True)
    assert_skipped(
        book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]), exchange, "OrderCancelled"
    )


def test_cancelling_an_order_refuses_every_other_order_with_its_nonce(exchange, book, alice, bob):
    cancelled = book.order(alice, SELL, E18, PRICE_2000, nonce=11)
    twin = book.order(alice, SELL, E18, PRICE_2000 + 1, nonce=11)
    buy = book.order(bob, BUY, E18, 2 * PRICE_2000)
    exchange.cancelOrders([cancelled.as_tuple()], {"from": alice.account})
    assert_skipped(
        book.settle([(twin, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2 * QUOTE)]), exchange, "OrderNonceUsed"
    )


def test_cancelling_an_order_filled_completely_keeps_it_refused(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]))
    exchange.cancelOrders([sell.as_tuple()], {"from": alice.account})
    assert order_status(exchange, book.hash(sell)) == (0, False, True)
    assert_skipped(book.settle([(sell, alice.key), (buy, b"")], [trade(0, 1, E18, QUOTE)]), exchange, "OrderCancelled")


def test_cancelling_a_partly_filled_order_keeps_its_fill_and_refuses_the_rest(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    exchange.cancelOrders([sell.as_tuple()], {"from": alice.account})
    assert order_status(exchange, book.hash(sell)) == (E18, True, True)
    assert_skipped(book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, QUOTE)]), exchange, "OrderCancelled")


def test_a_nonce_floor_refuses_a_partly_filled_order_trading_from_its_counter(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000, nonce=20)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    exchange.raiseNonceFloor(21, {"from": alice.account})
    assert_skipped(book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, QUOTE)]), exchange, "OrderNonceBelowFloor")


def test_a_nonce_floor_refuses_a_new_order_whose_nonce_was_never_used(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000, nonce=30)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    exchange.raiseNonceFloor(31, {"from": alice.account})
    assert not nonce_used(exchange, sell)
    assert_skipped(
        book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]), exchange, "OrderNonceBelowFloor"
    )
