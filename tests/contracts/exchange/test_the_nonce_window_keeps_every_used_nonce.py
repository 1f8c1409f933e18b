"""A wallet's slot holds a window of its used-nonce bits (64 nonces); a nonce above the window moves it, flushing
its bits into the bitmap word that holds them. Whatever the order in which nonces are used, by settlement or by a
cancel, every used nonce reads used, every other reads unused, a used nonce refuses a new order, and the bitmap
holds nothing at or above the window."""

import pytest
from conftest import (
    E6,
    E18,
    PRICE_2000,
    assert_no_bitmap_bit_at_or_above_the_window,
    assert_settled,
    assert_skipped,
    nonce_bitmap_word,
    nonce_window,
)
from exchange_signing import BUY, SELL, trade

QUOTE = 2000 * E6
BUYER_NONCES = iter(range(10**9, 10**9 + 10**6))  # bob's nonces: consecutive, far from alice's


def _fill(book, alice, bob, nonce):
    """Alice sells one unit with `nonce` to a new order of bob; returns the settle transaction."""
    sell = book.order(alice, SELL, E18, PRICE_2000, nonce=nonce)
    buy = book.order(bob, BUY, E18, PRICE_2000, nonce=next(BUYER_NONCES))
    return book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])


def _used(exchange, wallet, nonces):
    return {n for n in nonces if exchange.isNonceUsed(wallet, n)}


def _probe(nonces):
    """The nonces and their neighbours, window edges included."""
    return sorted({m for n in nonces for m in (n - 1, n, n + 1, n - n % 64, n - n % 64 + 63) if 0 <= m < 2**64})


def _check(exchange, book, alice, bob, used, up_to_word):
    assert _used(exchange, alice, _probe(used)) == set(used)
    assert_no_bitmap_bit_at_or_above_the_window(exchange, alice, up_to_word)
    for nonce in used:  # each used nonce refuses a new order of alice (another amount: another order hash)
        again = book.order(alice, SELL, E18 // 2, PRICE_2000, nonce=nonce)
        buy = book.order(bob, BUY, E18 // 2, PRICE_2000, nonce=next(BUYER_NONCES))
        tx = book.settle([(again, alice.key), (buy, bob.key)], [trade(0, 1, E18 // 2, QUOTE // 2)])
        assert_skipped(tx, exchange, "OrderNonceUsed")


def test_the_storage_layout_the_tests_read_is_the_contracts(exchange, book, alice, bob):
    exchange.raiseNonceFloor(7, {"from": alice.account})
    assert_settled(_fill(book, alice, bob, 200))
    assert nonce_window(exchange, alice) == (3, 1 << 8)
    assert_settled(_fill(book, alice, bob, 300))  # moves the window: window 3's bit goes to word 0, bit 200
    assert nonce_bitmap_word(exchange, alice, 0) == 1 << 200
    assert tuple(exchange.walletState(alice)) == (7, 0)


def test_nonces_far_apart_each_stay_used(exchange, book, alice, bob):
    used = [5, 10_000, 2**40 + 3, 2**64 - 1]
    for nonce in used:
        assert_settled(_fill(book, alice, bob, nonce))
    assert nonce_window(exchange, alice) == ((2**64 - 1) >> 6, 1 << 63)
    _check(exchange, book, alice, bob, used, up_to_word=10_000 // 256 + 1)


def test_a_nonce_below_the_window_is_used_in_the_bitmap_and_leaves_the_window(exchange, book, alice, bob):
    assert_settled(_fill(book, alice, bob, 200))  # window 3
    for nonce in (7, 191, 64, 0):  # below the window: word 0, in windows 0, 2 and 1
        assert_settled(_fill(book, alice, bob, nonce))
    assert nonce_window(exchange, alice) == (3, 1 << 8)
    assert nonce_bitmap_word(exchange, alice, 0) == (1 << 7) | (1 << 191) | (1 << 64) | 1
    _check(exchange, book, alice, bob, [0, 7, 64, 191, 200], up_to_word=2)


def test_a_cancel_above_the_window_moves_it_and_a_lower_nonce_still_settles(exchange, book, alice, bob):
    assert_settled(_fill(book, alice, bob, 3))
    cancelled = book.order(alice, SELL, E18, PRICE_2000, nonce=1_000)
    exchange.cancelOrders([cancelled.as_tuple()], {"from": alice.account})
    assert nonce_window(exchange, alice) == (1_000 >> 6, 1 << (1_000 % 64))
    assert nonce_bitmap_word(exchange, alice, 0) == 1 << 3  # window 0 flushed
    assert_settled(_fill(book, alice, bob, 4))  # below the window now
    buy = book.order(bob, BUY, E18, PRICE_2000, nonce=next(BUYER_NONCES))
    tx = book.settle([(cancelled, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    assert_skipped(tx, exchange, "OrderCancelled")
    _check(exchange, book, alice, bob, [3, 4, 1_000], up_to_word=4)


@pytest.mark.parametrize("order", [[63, 64, 127, 128, 255, 256], [256, 255, 128, 127, 64, 63]])
def test_nonces_at_the_window_and_word_boundaries(exchange, book, alice, bob, order):
    for nonce in order:
        assert_settled(_fill(book, alice, bob, nonce))
    _check(exchange, book, alice, bob, order, up_to_word=2)


def test_the_four_windows_of_a_bitmap_word_flush_into_their_own_quarters(exchange, book, alice, bob):
    used = [1, 70, 130, 200, 260]  # windows 0, 1, 2, 3 (word 0), then 4 (word 1)
    for i, nonce in enumerate(used):
        assert_settled(_fill(book, alice, bob, nonce))
        assert nonce_window(exchange, alice) == (nonce >> 6, 1 << (nonce % 64))
        assert nonce_bitmap_word(exchange, alice, 0) == sum(1 << n for n in used[:i])
    assert nonce_bitmap_word(exchange, alice, 1) == 0
    _check(exchange, book, alice, bob, used, up_to_word=2)


def test_two_orders_of_a_wallet_in_one_batch_above_and_below_its_window(exchange, book, alice, bob):
    assert_settled(_fill(book, alice, bob, 100))  # window 1
    low, high = (book.order(alice, SELL, E18, PRICE_2000, nonce=n) for n in (2, 500))
    buys = [book.order(bob, BUY, E18, PRICE_2000, nonce=next(BUYER_NONCES)) for _ in range(2)]
    legs = [(low, alice.key), (high, alice.key), (buys[0], bob.key), (buys[1], bob.key)]
    assert_settled(book.settle(legs, [trade(0, 2, E18, QUOTE), trade(1, 3, E18, QUOTE)]), count=2)
    assert nonce_window(exchange, alice) == (500 >> 6, 1 << (500 % 64))
    _check(exchange, book, alice, bob, [2, 100, 500], up_to_word=2)


def test_the_window_survives_the_nonce_floor_and_the_exit(exchange, book, alice, bob):
    assert_settled(_fill(book, alice, bob, 70))
    window = nonce_window(exchange, alice)
    exchange.raiseNonceFloor(65, {"from": alice.account})
    exchange.requestExit({"from": alice.account})
    exchange.cancelExit({"from": alice.account})
    assert nonce_window(exchange, alice) == window
    assert tuple(exchange.walletState(alice)) == (65, 0)
    assert exchange.isNonceUsed(alice, 70) and not exchange.isNonceUsed(alice, 71)
