from conftest import (
    E6,
    E18,
    MAKER_FEE_RATE,
    PRICE_2000,
    TAKER_FEE_RATE,
    assert_settled,
    assert_skipped,
    selector,
    timelocked_inner_error,
)
from exchange_signing import BUY, SELL, trade

QUOTE = 2000 * E6


def _orders(book, alice, bob, maker_max=10_000, taker_max=10_000):
    sell = book.order(alice, SELL, E18, PRICE_2000, maxFeeRate=maker_max)
    buy = book.order(bob, BUY, E18, PRICE_2000, maxFeeRate=taker_max)
    return [(sell, alice.key), (buy, bob.key)]


def test_skips_a_maker_fee_above_the_signed_max(exchange, book, alice, bob):
    legs = _orders(book, alice, bob, maker_max=500)  # 0.05%, below the schedule's 0.1%
    signed_max = QUOTE * 500 // 10**6
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, signed_max + 1, 0)]), exchange, "FeeTooHigh")
    assert_settled(book.settle(legs, [trade(0, 1, E18, QUOTE, signed_max, 0)]))


def test_skips_a_taker_fee_above_the_signed_max(exchange, book, alice, bob):
    legs = _orders(book, alice, bob, taker_max=0)
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, 0, 1)]), exchange, "FeeTooHigh")


def test_skips_a_fee_above_the_schedule_even_if_the_order_allows_more(exchange, book, alice, bob):
    legs = _orders(book, alice, bob, maker_max=10_000, taker_max=10_000)
    maker_cap = QUOTE * MAKER_FEE_RATE // 10**6
    taker_cap = E18 * TAKER_FEE_RATE // 10**6
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, maker_cap + 1, 0)]), exchange, "FeeTooHigh")
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, 0, taker_cap + 1)]), exchange, "FeeTooHigh")
    assert_settled(book.settle(legs, [trade(0, 1, E18, QUOTE, maker_cap, taker_cap)]))


def test_skips_a_fee_above_the_hard_cap_with_the_schedule_at_the_cap(exchange, book, alice, bob, owners):
    cap = exchange.MAX_FEE_RATE()
    owners.run_timelocked(exchange, exchange.setFeeSchedule.encode_input(cap, cap))
    legs = _orders(book, alice, bob, maker_max=2**32 - 1, taker_max=2**32 - 1)  # signed "anything"
    hard = QUOTE * cap // 10**6
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, hard + 1, 0)]), exchange, "FeeTooHigh")
    assert_settled(book.settle(legs, [trade(0, 1, E18, QUOTE, hard, 0)]))


def test_reverts_when_the_fee_schedule_is_set_above_the_hard_cap(exchange, owners):
    cap = exchange.MAX_FEE_RATE()
    above = selector(exchange, "FeeRateAboveCap")
    assert timelocked_inner_error(owners, exchange, exchange.setFeeSchedule.encode_input(cap + 1, 0)) == above
    assert timelocked_inner_error(owners, exchange, exchange.setFeeSchedule.encode_input(0, cap + 1),
                                  salt=b"\x01" * 32) == above
    assert (exchange.makerFeeRate(), exchange.takerFeeRate()) == (MAKER_FEE_RATE, TAKER_FEE_RATE)


def test_fee_rounding_never_exceeds_the_rate(exchange, book, alice, bob):
    # 1,999 quote units received at 0.1%: the exact fee is 1.999, so 1 is allowed and 2 is not.
    legs = _orders(book, alice, bob)
    assert_skipped(book.settle(legs, [trade(0, 1, 999_500_000_000, 1999, 2, 0)]), exchange, "FeeTooHigh")
    assert_settled(book.settle(legs, [trade(0, 1, 999_500_000_000, 1999, 1, 0)]))
