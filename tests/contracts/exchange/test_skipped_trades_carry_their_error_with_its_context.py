"""A skipped trade's `TradeSkipped.reason` is its error, ABI-encoded with the context the error declares.

Each test settles a batch of three trades: a good trade between carol and dave, the bad trade, and the good trade
again. The bad one is skipped with its error and arguments (which order or wallet, and how much), both good ones
settle, and the skipped one changes no balance and no order state.
"""

from contextlib import contextmanager

from conftest import E6, E18, MAKER_FEE_RATE, PRICE_2000, TAKER_FEE_RATE, nonce_used, skipped_errors
from exchange_signing import BUY, FLAG_POST_ONLY, FLAG_UNKNOWN, SELL, trade

QUOTE = 2000 * E6  # one WETH at PRICE_2000


def _hex(order_hash):
    return "0x" + bytes(order_hash).hex()


@contextmanager
def changes_nothing(exchange, book, wallets, orders):
    """The block changes none of `wallets`' balances (and the fee recipient's) and none of `orders`' states."""

    def state():
        holders = [*wallets, exchange.feeRecipient()]
        balances = [exchange.balanceOf(w, t) for w in holders for t in (book.base, book.quote)]
        records = [(tuple(exchange.orderStatus(book.hash(o))), nonce_used(exchange, o)) for o in orders]
        return balances, records

    before = state()
    yield
    assert state() == before


def settle_between_good_trades(exchange, book, traders, bad_legs, bad_trade):
    """Settles `bad_trade` (order indices into `bad_legs`) as trade 1 of 3, between two trades of carol and dave,
    and checks that only it was skipped. Returns its decoded error (name, {argument: value})."""
    carol, dave = traders[2], traders[3]
    good_legs = [(book.order(carol, SELL, 2 * E18, PRICE_2000), carol.key),
                 (book.order(dave, BUY, 2 * E18, PRICE_2000), dave.key)]  # fmt: skip
    good = trade(len(bad_legs), len(bad_legs) + 1, E18, QUOTE)
    tx = book.settle([*bad_legs, *good_legs], [good, bad_trade, good])
    [skipped] = tx.events["TradeSkipped"]
    assert skipped["tradeIndex"] == 1
    maker, taker = bad_legs[bad_trade[0]][0], bad_legs[bad_trade[1]][0]
    assert (skipped["makerOrderHash"], skipped["takerOrderHash"]) == (book.hash(maker), book.hash(taker))
    assert [e["makerOrderHash"] for e in tx.events["TradeSettled"]] == [book.hash(good_legs[0][0])] * 2
    return skipped_errors(tx, exchange)[1]


def _skip(exchange, book, traders, legs, bad_trade):
    """The decoded error of `bad_trade`, checking that it changed nothing for its wallets and orders."""
    wallets = {order.maker for order, _ in legs}
    with changes_nothing(exchange, book, wallets, [order for order, _ in legs]):
        return settle_between_good_trades(exchange, book, traders, legs, bad_trade)


# ---------------------------------------------------------------- per order


def test_an_order_signed_by_someone_else_names_its_maker_and_digest(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, bob.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("InvalidSignature", {"signer": alice.address, "digest": _hex(book.hash(sell))})


def test_a_cancelled_order_names_the_order(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    exchange.cancelOrders([buy.as_tuple()], {"from": bob.account})
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("OrderCancelled", {"orderHash": _hex(book.hash(buy))})


def test_a_replayed_fully_filled_order_names_the_order_its_maker_and_its_nonce(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)])
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, b"")], trade(0, 1, E18, QUOTE))
    assert error == ("OrderNonceUsed", {"orderHash": _hex(book.hash(sell)), "maker": alice.address,
                                        "nonce": sell.nonce})  # fmt: skip


def test_an_expired_order_names_the_order_and_its_expiry(exchange, book, traders, chain):
    alice, bob = traders[:2]
    expiry = chain.time() + 100
    sell, buy = book.order(alice, SELL, E18, PRICE_2000, expiry=expiry), book.order(bob, BUY, E18, PRICE_2000)
    chain.sleep(200)
    chain.mine()
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("OrderExpired", {"orderHash": _hex(book.hash(sell)), "expiry": expiry})


def test_an_order_below_the_nonce_floor_names_its_nonce_and_the_floor(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000, nonce=5), book.order(bob, BUY, E18, PRICE_2000)
    exchange.raiseNonceFloor(9, {"from": alice.account})
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("OrderNonceBelowFloor", {"orderHash": _hex(book.hash(sell)), "nonce": 5, "nonceFloor": 9})


def test_an_order_with_unknown_flags_names_its_flags(exchange, book, traders):
    alice, bob = traders[:2]
    sell = book.order(alice, SELL, E18, PRICE_2000, flags=FLAG_UNKNOWN | FLAG_POST_ONLY)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("OrderUnknownFlags", {"orderHash": _hex(book.hash(sell)), "flags": FLAG_UNKNOWN | FLAG_POST_ONLY})


def test_an_order_of_no_side_names_its_side_and_tokens(exchange, book, traders):
    alice, bob = traders[:2]
    sell, odd = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, 2, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (odd, bob.key)], trade(0, 1, E18, QUOTE))
    market = {"baseToken": book.base.address, "quoteToken": book.quote.address}
    assert error == ("OrderMarketInvalid", {"orderHash": _hex(book.hash(odd)), "side": 2, **market})


def test_an_order_trading_a_token_against_itself_names_its_tokens(exchange, book, traders):
    alice, bob = traders[:2]
    sell = book.order(alice, SELL, E18, PRICE_2000).with_(baseToken=book.quote.address)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    market = {"baseToken": book.quote.address, "quoteToken": book.quote.address}
    assert error == ("OrderMarketInvalid", {"orderHash": _hex(book.hash(sell)), "side": SELL, **market})


def test_an_order_of_an_exited_wallet_names_the_wallet(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    exchange.requestExit({"from": bob.account})
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("WalletExited", {"wallet": bob.address})


# ---------------------------------------------------------------- per trade


def test_two_orders_on_the_same_side_name_both_orders(exchange, book, traders):
    alice, bob = traders[:2]
    a, b = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, SELL, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(a, alice.key), (b, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("OrdersDoNotMatch", {"makerOrderHash": _hex(book.hash(a)), "takerOrderHash": _hex(book.hash(b))})


def test_a_self_trade_names_the_wallet(exchange, book, traders):
    alice = traders[0]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(alice, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, alice.key)], trade(0, 1, E18, QUOTE))
    assert error == ("SelfTrade", {"wallet": alice.address})


def test_a_post_only_taker_names_the_taker_order(exchange, book, traders):
    alice, bob = traders[:2]
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000, flags=FLAG_POST_ONLY)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE))
    assert error == ("PostOnlyOrderTaken", {"orderHash": _hex(book.hash(buy))})


def test_a_zero_amount_trade_carries_the_bare_error(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, 0))
    assert error == ("ZeroAmountTrade", {})


def test_an_overfill_of_a_partly_filled_maker_order_names_its_fill_and_amounts(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, 5 * E18, PRICE_2000)
    legs = [(sell, alice.key), (buy, bob.key)]
    book.settle(legs, [trade(0, 1, E18 // 2, QUOTE // 2)])
    error = _skip(exchange, book, traders, legs, trade(0, 1, E18 // 2 + 1, QUOTE // 2 + 2000))
    assert error == ("OrderOverfilled", {"orderHash": _hex(book.hash(sell)), "filled": E18 // 2,
                                         "fill": E18 // 2 + 1, "baseAmount": E18})  # fmt: skip


def test_an_overfill_of_the_taker_order_names_the_taker_order(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, 5 * E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, 2 * E18, 2 * QUOTE))
    assert error == ("OrderOverfilled", {"orderHash": _hex(book.hash(buy)), "filled": 0,
                                         "fill": 2 * E18, "baseAmount": E18})  # fmt: skip


def test_a_price_below_the_sellers_limit_names_the_sell_order_and_its_limit(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE - 1))
    assert error == ("LimitPriceViolated", {"orderHash": _hex(book.hash(sell)), "limitPrice": PRICE_2000})


def test_a_price_above_the_buyers_limit_names_the_buy_order_and_its_limit(exchange, book, traders):
    alice, bob = traders[:2]
    buy, sell = book.order(alice, BUY, E18, PRICE_2000), book.order(bob, SELL, E18, PRICE_2000)
    error = _skip(exchange, book, traders, [(buy, alice.key), (sell, bob.key)], trade(0, 1, E18, QUOTE + 1))
    assert error == ("LimitPriceViolated", {"orderHash": _hex(book.hash(buy)), "limitPrice": PRICE_2000})


def test_a_maker_fee_above_its_rate_names_the_fee_what_the_maker_receives_and_the_rate(exchange, book, traders):
    alice, bob = traders[:2]
    sell = book.order(alice, SELL, E18, PRICE_2000, maxFeeRate=500)  # below the schedule's maker rate
    buy = book.order(bob, BUY, E18, PRICE_2000)
    fee = QUOTE * 500 // 10**6 + 1
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE, fee, 0))
    assert error == ("FeeTooHigh", {"orderHash": _hex(book.hash(sell)), "fee": fee, "received": QUOTE,
                                    "maxRate": 500})  # fmt: skip


def test_a_taker_fee_above_the_schedule_names_the_taker_order_and_the_schedule_rate(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, E18, PRICE_2000), book.order(bob, BUY, E18, PRICE_2000)
    fee = E18 * TAKER_FEE_RATE // 10**6 + 1
    assert MAKER_FEE_RATE < TAKER_FEE_RATE < 10_000  # the order allows the cap; the schedule is what binds
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, E18, QUOTE, 0, fee))
    assert error == ("FeeTooHigh", {"orderHash": _hex(book.hash(buy)), "fee": fee, "received": E18,
                                    "maxRate": TAKER_FEE_RATE})  # fmt: skip


def test_a_seller_short_of_base_names_the_seller_the_token_its_balance_and_the_need(exchange, book, traders):
    alice, bob = traders[:2]
    sell, buy = book.order(alice, SELL, 1000 * E18, PRICE_2000), book.order(bob, BUY, 1000 * E18, 2 * PRICE_2000)
    balance = exchange.balanceOf(alice, book.base)
    base = balance + 1
    quote = (base * PRICE_2000 + E18 - 1) // E18  # rounded up: the seller's limit holds
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, base, quote))
    assert error == ("InsufficientBalance", {"wallet": alice.address, "token": book.base.address,
                                             "balance": balance, "needed": base})  # fmt: skip


def test_a_buyer_short_of_quote_names_the_buyer_the_token_its_balance_and_the_need(exchange, book, traders):
    alice, bob = traders[:2]
    sell = book.order(alice, SELL, 90 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 90 * E18, 2 * 10**4 * E6)  # bob may pay up to 20,000 USDC per WETH
    balance = exchange.balanceOf(bob, book.quote)
    quote = balance + 1
    error = _skip(exchange, book, traders, [(sell, alice.key), (buy, bob.key)], trade(0, 1, 90 * E18, quote))
    assert error == ("InsufficientBalance", {"wallet": bob.address, "token": book.quote.address,
                                             "balance": balance, "needed": quote})  # fmt: skip
