from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped
from exchange_signing import BUY, SELL, high_s, trade


def _legs(book, alice, bob):
    return book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)


def test_skips_an_order_whose_signature_has_a_high_s(exchange, book, alice, bob):
    sell, buy = _legs(book, alice, bob)
    signature = book.sign(sell, alice.key)
    tx = book.settle([(sell, high_s(signature)), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")
    # the low-s original is accepted: only malleability is refused
    assert_settled(book.settle([(sell, signature), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)]))


def test_skips_an_order_whose_signature_has_a_bad_v(exchange, book, alice, bob):
    sell, buy = _legs(book, alice, bob)
    signature = book.sign(sell, alice.key)
    for v in (0, 1, 29):
        bad = signature[:64] + bytes([v])
        tx = book.settle([(sell, bad), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
        assert_skipped(tx, exchange, "InvalidSignature")


def test_skips_an_order_signed_by_someone_else(exchange, book, alice, bob):
    sell, buy = _legs(book, alice, bob)
    tx = book.settle([(sell, book.sign(sell, bob.key)), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


def test_skips_an_order_whose_fields_differ_from_what_was_signed(exchange, book, alice, bob):
    sell, buy = _legs(book, alice, bob)
    signature = book.sign(sell, alice.key)
    tampered = sell.with_(limitPrice=PRICE_2000 // 2)
    tx = book.settle([(tampered, signature), (buy, bob.key)], [trade(0, 1, E18, 1000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


def test_accepts_an_eip2098_compact_signature(exchange, book, alice, bob):
    from exchange_signing import compact

    sell, buy = _legs(book, alice, bob)
    legs = [(sell, compact(book.sign(sell, alice.key))), (buy, compact(book.sign(buy, bob.key)))]
    assert_settled(book.settle(legs, [trade(0, 1, E18, 2000 * E6)]))


def test_skips_an_eip2098_compact_signature_hiding_a_high_s(exchange, book, alice, bob):
    from exchange_signing import compact

    sell, buy = _legs(book, alice, bob)
    tx = book.settle([(sell, compact(high_s(book.sign(sell, alice.key)))), (buy, bob.key)],
                     [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")
