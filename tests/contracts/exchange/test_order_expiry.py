from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped
from exchange_signing import BUY, SELL, trade


def test_skips_an_expired_order(exchange, book, alice, bob, chain):
    now = chain.time()
    sell = book.order(alice, SELL, E18, PRICE_2000, expiry=now + 100)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    chain.sleep(200)
    chain.mine()
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrderExpired")


def test_an_order_trades_until_its_expiry(exchange, book, alice, bob, chain):
    sell = book.order(alice, SELL, E18, PRICE_2000, expiry=chain.time() + 3600)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)]))


def test_skips_an_expired_taker_order_even_when_seen_before(exchange, book, alice, bob, chain):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000, expiry=chain.time() + 100)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)]))
    chain.sleep(200)
    chain.mine()
    tx = book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrderExpired")
