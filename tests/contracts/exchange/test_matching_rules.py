from conftest import E6, E18, PRICE_2000, assert_skipped
from exchange_signing import BUY, FLAG_POST_ONLY, FLAG_UNKNOWN, SELL, trade


def test_skips_a_self_trade(exchange, book, alice):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(alice, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, alice.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "SelfTrade")


def test_skips_two_orders_on_the_same_side(exchange, book, alice, bob):
    a = book.order(alice, SELL, E18, PRICE_2000)
    b = book.order(bob, SELL, E18, PRICE_2000)
    tx = book.settle([(a, alice.key), (b, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrdersDoNotMatch")


def test_skips_orders_of_different_markets(exchange, book, alice, bob, base_token, quote_token):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000).with_(baseToken=quote_token.address, quoteToken=base_token.address)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrdersDoNotMatch")


def test_skips_a_side_that_is_neither_buy_nor_sell(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    odd = book.order(bob, 2, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (odd, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrderMarketInvalid")


def test_skips_a_post_only_order_used_as_taker(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000, flags=FLAG_POST_ONLY)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "PostOnlyOrderTaken")
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(1, 0, E18, 2000 * E6)])
    assert len(tx.events["TradeSettled"]) == 1


def test_skips_an_order_with_unknown_flags(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000, flags=FLAG_UNKNOWN)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrderUnknownFlags")


def test_skips_a_zero_output_fill(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, 0)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, bob.key)]
    assert_skipped(book.settle(legs, [trade(0, 1, E18, 0)]), exchange, "ZeroAmountTrade")
    assert_skipped(book.settle(legs, [trade(0, 1, 0, 1)]), exchange, "ZeroAmountTrade")


def test_skips_a_trade_the_payer_cannot_afford(exchange, book, alice, bob, base_token):
    sell = book.order(alice, SELL, 1000 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 1000 * E18, 2 * PRICE_2000)
    base = exchange.balanceOf(alice, base_token) + 1
    quote = (base * PRICE_2000 + E18 - 1) // E18
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, base, quote)])
    assert_skipped(tx, exchange, "InsufficientBalance")


def test_a_skipped_trade_does_not_stop_the_rest_of_the_batch(exchange, book, traders):
    alice, bob, _carol, _ = traders
    good = book.order(alice, SELL, E18, PRICE_2000)
    selfish = book.order(bob, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    tx = book.settle([(good, alice.key), (selfish, bob.key), (buy, bob.key)],
                     [trade(1, 2, E18, 2000 * E6), trade(0, 2, E18, 2000 * E6)])
    assert [e["tradeIndex"] for e in tx.events["TradeSkipped"]] == [0]
    assert len(tx.events["TradeSettled"]) == 1


def test_skips_an_order_whose_base_and_quote_are_the_same_token(exchange, book, alice, bob, quote_token):
    sell = book.order(alice, SELL, E18, PRICE_2000).with_(baseToken=quote_token.address)
    buy = book.order(bob, BUY, E18, PRICE_2000).with_(baseToken=quote_token.address)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E6, 2 * E6)])
    assert_skipped(tx, exchange, "OrderMarketInvalid")
