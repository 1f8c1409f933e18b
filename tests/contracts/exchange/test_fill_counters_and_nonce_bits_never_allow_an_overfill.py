"""The two fill records together: a partly filled order keeps a counter besides its nonce's bit, trades on from
that counter until its amount and never beyond, and the bit alone refuses the orders that hold no counter."""

from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped, nonce_used, order_status, skipped_errors
from exchange_signing import BUY, SELL, trade

QUOTE = 2000 * E6


def test_a_partly_filled_order_stores_a_counter_and_its_nonce_bit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 3 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 3 * E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]))
    assert nonce_used(exchange, sell) and order_status(exchange, book.hash(sell)) == (E18, True, False)


def test_an_order_with_a_counter_completes_from_it_and_then_refuses_one_more_unit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 3 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 10 * E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, bob.key)]
    assert_settled(book.settle(legs, [trade(0, 1, E18, QUOTE)]))
    # the rest in two trades of one batch, from the counter (no signature needed), then one unit too many
    tx = book.settle(
        [(sell, b""), (buy, b"")], [trade(0, 1, E18, QUOTE), trade(0, 1, E18, QUOTE), trade(0, 1, 1, 2000)]
    )
    assert len(tx.events["TradeSettled"]) == 2
    assert skipped_errors(tx, exchange)[2] == (
        "OrderOverfilled",
        {"orderHash": "0x" + bytes(book.hash(sell)).hex(), "filled": 3 * E18, "fill": 1, "baseAmount": 3 * E18},
    )
    assert order_status(exchange, book.hash(sell)) == (3 * E18, True, False)
    assert_skipped(book.settle([(sell, alice.key), (buy, b"")], [trade(0, 1, 1, 2000)]), exchange, "OrderOverfilled")


def test_an_order_with_a_counter_trades_on_while_another_order_with_its_nonce_is_refused(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000, nonce=7)
    buy = book.order(bob, BUY, 10 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    twin = book.order(alice, SELL, 2 * E18, PRICE_2000 - 1, nonce=7)
    assert_skipped(book.settle([(twin, alice.key), (buy, b"")], [trade(0, 1, E18, QUOTE)]), exchange, "OrderNonceUsed")
    assert_settled(book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, QUOTE)]))
    assert order_status(exchange, book.hash(sell)) == (2 * E18, True, False)


def test_two_orders_sharing_a_nonce_in_one_batch_each_stay_within_their_own_amount(exchange, book, alice, bob):
    full = book.order(alice, SELL, E18, PRICE_2000, nonce=9)
    partial = book.order(alice, SELL, 3 * E18, PRICE_2000, nonce=9)
    buy = book.order(bob, BUY, 10 * E18, PRICE_2000)
    legs = [(full, alice.key), (partial, alice.key), (buy, bob.key)]
    tx = book.settle(legs, [trade(0, 2, E18, QUOTE), trade(1, 2, E18, QUOTE), trade(0, 2, 1, 2000)])
    assert len(tx.events["TradeSettled"]) == 2
    assert skipped_errors(tx, exchange)[2][0] == "OrderOverfilled"
    # afterwards each trades on only through its own counter: the one filled completely holds none
    assert order_status(exchange, book.hash(full)) == (0, False, False)
    assert order_status(exchange, book.hash(partial)) == (E18, True, False)
    assert_skipped(book.settle([(full, alice.key), (buy, b"")], [trade(0, 1, 1, 2000)]), exchange, "OrderNonceUsed")
    assert_settled(book.settle([(partial, b""), (buy, b"")], [trade(0, 1, 2 * E18, 2 * QUOTE)]))
    assert_skipped(book.settle([(partial, b""), (buy, b"")], [trade(0, 1, 1, 2000)]), exchange, "OrderOverfilled")


def test_a_new_order_that_only_had_skipped_trades_is_still_new(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    # a price below the seller's limit: skipped, so nothing is recorded for either order
    assert_skipped(
        book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE - 1)]), exchange, "LimitPriceViolated"
    )
    assert not nonce_used(exchange, sell) and not nonce_used(exchange, buy)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]))
