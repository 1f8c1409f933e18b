from conftest import E6, E18, PRICE_2000, assert_settled, assert_skipped
from exchange_signing import BUY, FLAG_OPERATOR_TRIGGER, SELL, trade


def test_skips_a_price_below_the_sellers_limit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, 3000 * E6)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6 - 1)])
    assert_skipped(tx, exchange, "LimitPriceViolated")


def test_skips_a_price_above_the_buyers_limit(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, 1000 * E6)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(1, 0, E18, 2000 * E6 + 1)])
    assert_skipped(tx, exchange, "LimitPriceViolated")


def test_trades_at_exactly_both_limits(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)]))


def test_rounding_of_an_odd_amount_never_favours_the_counterparty(exchange, book, alice, bob):
    # 3 base units at 2000 USDC per 1e18 is 6e-9 quote units: any positive quote pays the seller enough,
    # but the buyer's limit allows no quote at all, so no rounding can make this trade happen.
    sell = book.order(alice, SELL, 10, PRICE_2000)
    buy = book.order(bob, BUY, 10, PRICE_2000)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, 3, 1)])
    assert_skipped(tx, exchange, "LimitPriceViolated")


def test_a_market_order_with_an_unbounded_limit_buys_at_any_price(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, 2**256 - 1, flags=1)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2500 * E6)]))


def test_a_stop_market_sell_still_respects_its_worst_price(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, 1900 * E6, triggerPrice=1950 * E6, flags=3 | FLAG_OPERATOR_TRIGGER)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, bob.key)]
    assert_skipped(book.settle(legs, [trade(1, 0, E18, 1899 * E6)]), exchange, "LimitPriceViolated")
    assert_settled(book.settle(legs, [trade(1, 0, E18, 1900 * E6)]))
