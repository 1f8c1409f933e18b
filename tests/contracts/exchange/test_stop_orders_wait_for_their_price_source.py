"""Stop orders first trade only once their market's price source (a Chainlink-shaped feed) reached the trigger.

The dev feed answers with 8 decimals for one WETH in USDC; the market's price unit is USDC base units per 1e18
WETH base units, so an answer of 2000e8 is the reference 2000e6 (PRICE_2000).
"""

import pytest
from conftest import (
    E6,
    E18,
    PRICE_2000,
    assert_settled,
    assert_skipped,
    reverts_with,
    selector,
    skipped_errors,
    timelocked_inner_error,
)
from exchange_signing import (
    BUY,
    FLAG_OPERATOR_TRIGGER,
    KIND_STOP_LIMIT,
    KIND_STOP_MARKET,
    SELL,
    trade,
)

FEED_DECIMALS = 8
MAX_AGE = 3600
ZERO = "0x" + "00" * 20


def usd(price):
    """A feed answer of `price` dollars."""
    return price * 10**FEED_DECIMALS


@pytest.fixture(scope="module")
def feed(DevPriceFeed, deployer):
    return DevPriceFeed.deploy(FEED_DECIMALS, "WETH / USDC", usd(2000), {"from": deployer})


@pytest.fixture(scope="module")
def priced(exchange, owners, feed, base_token, quote_token, listed, deployer):
    """The market's price source is the feed, set through the timelock, answering 2000 now."""
    owners.run_timelocked(exchange, exchange.setPriceFeed.encode_input(base_token, quote_token, feed, MAX_AGE))
    feed.setAnswer(usd(2000), {"from": deployer})
    return feed


def _stop_sell(book, alice, trigger=1800 * E6, worst=1700 * E6, flags=KIND_STOP_MARKET):
    return book.order(alice, SELL, E18, worst, triggerPrice=trigger, flags=flags)


def _source(exchange, base_token, quote_token):
    feed, max_age, scale_up, scale_down = exchange.priceFeed(base_token, quote_token)
    return str(feed), int(max_age), int(scale_up), int(scale_down)


def _reference(exchange, base_token, quote_token):
    usable, price, _ = exchange.referencePrice(base_token, quote_token)
    return bool(usable), int(price)


def _remove_source(exchange, owners, base_token, quote_token):
    """Another test of the module may have set one (module fixtures outlive a test's snapshot)."""
    data = exchange.setPriceFeed.encode_input(base_token, quote_token, ZERO, 0)
    owners.run_timelocked(exchange, data, salt=b"\x0e" * 32)


def _balances(exchange, wallets, tokens):
    return [exchange.balanceOf(w, t) for w in wallets for t in tokens]


def test_a_stop_sell_settled_before_its_trigger_is_skipped_with_the_reference_and_moves_nothing(
    exchange, book, alice, bob, priced, base_token, quote_token
):
    stop = _stop_sell(book, alice)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    before = _balances(exchange, [alice, bob], [base_token, quote_token])
    tx = book.settle([(stop, alice.key), (buy, bob.key)], [trade(1, 0, E18, PRICE_2000)])
    assert skipped_errors(tx, exchange) == {
        0: ("StopNotTriggered", {"orderHash": "0x" + bytes(book.hash(stop)).hex(), "triggerPrice": 1800 * E6,
                                 "referencePrice": PRICE_2000}),
    }
    assert _balances(exchange, [alice, bob], [base_token, quote_token]) == before
    assert not exchange.isNonceUsed(alice.address, stop.nonce)


def test_a_stop_sell_settles_once_the_feed_falls_to_its_trigger(exchange, book, alice, bob, priced, deployer):
    stop = _stop_sell(book, alice)
    buy = book.order(bob, BUY, E18, 1790 * E6)
    legs = [(stop, alice.key), (buy, bob.key)]
    priced.setAnswer(usd(1800) + 1, {"from": deployer})  # one feed unit above the trigger
    assert_skipped(book.settle(legs, [trade(1, 0, E18, 1790 * E6)]), exchange, "StopNotTriggered")
    priced.setAnswer(usd(1800), {"from": deployer})  # at the trigger
    assert_settled(book.settle(legs, [trade(1, 0, E18, 1790 * E6)]))


def test_a_stop_limit_buy_waits_for_the_feed_to_rise_to_its_trigger(exchange, book, alice, bob, priced, deployer):
    stop = book.order(bob, BUY, E18, 2100 * E6, triggerPrice=2050 * E6, flags=KIND_STOP_LIMIT)
    sell = book.order(alice, SELL, E18, PRICE_2000)
    legs = [(sell, alice.key), (stop, bob.key)]
    assert_skipped(book.settle(legs, [trade(0, 1, E18, PRICE_2000)]), exchange, "StopNotTriggered")
    priced.setAnswer(usd(2050), {"from": deployer})
    assert_settled(book.settle(legs, [trade(0, 1, E18, PRICE_2000)]))


def test_a_stop_order_that_traded_trades_on_after_the_feed_moves_back(exchange, book, alice, bob, priced, deployer):
    stop = book.order(alice, SELL, 2 * E18, 1700 * E6, triggerPrice=1800 * E6, flags=KIND_STOP_MARKET)
    buy = book.order(bob, BUY, 2 * E18, 1790 * E6)
    priced.setAnswer(usd(1790), {"from": deployer})
    assert_settled(book.settle([(stop, alice.key), (buy, bob.key)], [trade(1, 0, E18, 1790 * E6)]))
    priced.setAnswer(usd(2000), {"from": deployer})
    assert_settled(book.settle([(stop, b""), (buy, b"")], [trade(1, 0, E18, 1790 * E6)]))


def test_a_stale_feed_skips_the_stop_order(exchange, book, alice, bob, priced, deployer, chain):
    priced.setRound(usd(1700), chain.time() - MAX_AGE - 5, {"from": deployer})
    stop = _stop_sell(book, alice)
    buy = book.order(bob, BUY, E18, 1790 * E6)
    tx = book.settle([(stop, alice.key), (buy, bob.key)], [trade(1, 0, E18, 1790 * E6)])
    name, args = skipped_errors(tx, exchange)[0]
    assert (name, args["feed"], args["maxAge"]) == ("PriceFeedStale", priced.address, MAX_AGE)


def test_a_feed_answering_zero_skips_the_stop_order(exchange, book, alice, bob, priced, deployer):
    priced.setAnswer(0, {"from": deployer})
    stop = _stop_sell(book, alice)
    buy = book.order(bob, BUY, E18, 1790 * E6)
    tx = book.settle([(stop, alice.key), (buy, bob.key)], [trade(1, 0, E18, 1790 * E6)])
    assert skipped_errors(tx, exchange) == {0: ("PriceFeedUnusable", {"feed": priced.address})}


def test_a_stop_order_in_a_market_without_a_source_needs_the_operator_trigger_flag(
    exchange, book, alice, bob, owners, base_token, quote_token
):
    _remove_source(exchange, owners, base_token, quote_token)
    stop = _stop_sell(book, alice)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = book.settle([(stop, alice.key), (buy, bob.key)], [trade(1, 0, E18, PRICE_2000)])
    assert_skipped(tx, exchange, "StopPriceSourceMissing")
    accepted = _stop_sell(book, alice, flags=KIND_STOP_MARKET | FLAG_OPERATOR_TRIGGER)
    assert_settled(book.settle([(accepted, alice.key), (buy, bob.key)], [trade(1, 0, E18, PRICE_2000)]))


def test_limit_orders_never_read_the_feed(exchange, book, alice, bob, priced, deployer):
    priced.setAnswer(0, {"from": deployer})
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(1, 0, E18, PRICE_2000)]))


def test_the_feed_is_set_and_removed_only_through_the_timelock(
    exchange, owners, feed, base_token, quote_token, deployer
):
    tx = owners.run_timelocked(exchange, exchange.setPriceFeed.encode_input(base_token, quote_token, feed, MAX_AGE))
    assert _source(exchange, base_token, quote_token) == (feed.address, MAX_AGE, 0, 2)
    assert "PriceFeedSet" in tx.events
    assert _reference(exchange, base_token, quote_token) == (False, PRICE_2000)  # stale after the delay
    feed.setAnswer(usd(2000), {"from": deployer})
    assert _reference(exchange, base_token, quote_token) == (True, PRICE_2000)
    _remove_source(exchange, owners, base_token, quote_token)
    assert _source(exchange, base_token, quote_token) == (ZERO, 0, 0, 0)
    assert _reference(exchange, base_token, quote_token) == (False, 0)


@pytest.mark.parametrize(("args", "error"), [
    (lambda base, quote, feed: (base, base, feed, MAX_AGE), "PriceFeedMarketInvalid"),
    (lambda base, quote, feed: (base, quote, feed, 0), "PriceFeedMaxAgeOutOfBounds"),
    (lambda base, quote, feed: (base, quote, feed, 86_401), "PriceFeedMaxAgeOutOfBounds"),
    (lambda base, quote, feed: (base, quote, "0x" + "77" * 20, MAX_AGE), "PriceFeedDecimalsUnreadable"),
])
def test_a_bad_price_source_is_refused(exchange, owners, feed, base_token, quote_token, args, error):
    data = exchange.setPriceFeed.encode_input(*args(base_token, quote_token, feed))
    assert timelocked_inner_error(owners, exchange, data) == selector(exchange, error)


def test_only_the_owner_moves_the_dev_feed(feed, accounts):
    with reverts_with("DevPriceFeedNotOwner"):
        feed.setAnswer(1, {"from": accounts[7]})
