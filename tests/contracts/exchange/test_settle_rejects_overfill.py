from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped, nonce_used, order_status
from exchange_signing import BUY, SELL, trade


def test_skips_a_trade_that_would_overfill_the_maker_order(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 5 * E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18 + 1, 2000 * E6 + 2000)])
    assert_skipped(tx, exchange, "OrderOverfilled")
    assert order_status(exchange, book.hash(sell)) == (0, False, False)


def test_skips_a_trade_that_would_overfill_the_taker_order(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 5 * E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, 2 * E18, 4000 * E6)])
    assert_skipped(tx, exchange, "OrderOverfilled")


def test_fills_accumulate_across_batches_and_stop_at_the_signed_amount(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 10 * E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, bob.key)]
    assert_settled(book.settle(legs, [trade(0, 1, E18 // 2, 1000 * E6)]))
    assert_skipped(book.settle(legs, [trade(0, 1, E18 // 2 + 1, 1000 * E6 + 2000)]), exchange, "OrderOverfilled")
    assert_settled(book.settle(legs, [trade(0, 1, E18 // 2, 1000 * E6)]))
    assert order_status(exchange, book.hash(sell)) == (E18, True, False)


def test_fills_accumulate_within_one_batch(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 10 * E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)],
                     [trade(0, 1, E18 // 2, 1000 * E6), trade(0, 1, E18 // 2, 1000 * E6), trade(0, 1, 1, 1)])
    assert len(tx.events["TradeSettled"]) == 2
    assert tx.events["TradeSkipped"][0]["tradeIndex"] == 2
    assert [e["makerFilled"] for e in tx.events["TradeSettled"]] == [E18 // 2, E18]
    # filled completely in its first batch: no counter, only its nonce's bit
    assert nonce_used(exchange, sell) and order_status(exchange, book.hash(sell)) == (0, False, False)
