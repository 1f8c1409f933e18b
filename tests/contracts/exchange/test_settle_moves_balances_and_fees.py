from conftest import (
    E6,
    E18,
    MAKER_FEE_RATE,
    PRICE_2000,
    TAKER_FEE_RATE,
    nonce_used,
    order_status,
    skipped_reasons,
)
from exchange_signing import BUY, SELL, trade


def test_a_matched_trade_moves_base_quote_and_fees_as_signed(exchange, book, alice, bob, base_token, quote_token,
                                                            fee_recipient):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    base, quote = 1 * E18, 2000 * E6
    maker_fee = quote * MAKER_FEE_RATE // 10**6  # alice (maker, seller) receives quote
    taker_fee = base * TAKER_FEE_RATE // 10**6  # bob (taker, buyer) receives base
    before = {(w, t): exchange.balanceOf(w, t) for w in (alice.address, bob.address, fee_recipient.address)
              for t in (base_token, quote_token)}

    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, base, quote, maker_fee, taker_fee)])

    assert skipped_reasons(tx) == []
    assert exchange.balanceOf(alice, base_token) == before[(alice.address, base_token)] - base
    assert exchange.balanceOf(alice, quote_token) == before[(alice.address, quote_token)] + quote - maker_fee
    assert exchange.balanceOf(bob, base_token) == before[(bob.address, base_token)] + base - taker_fee
    assert exchange.balanceOf(bob, quote_token) == before[(bob.address, quote_token)] - quote
    assert exchange.balanceOf(fee_recipient, base_token) == before[(fee_recipient.address, base_token)] + taker_fee
    assert exchange.balanceOf(fee_recipient, quote_token) == before[(fee_recipient.address, quote_token)] + maker_fee
    event = tx.events["TradeSettled"][0]
    assert event["maker"] == alice.address and event["taker"] == bob.address
    assert event["makerOrderHash"] == book.hash(sell) and event["takerOrderHash"] == book.hash(buy)
    assert (event["baseAmount"], event["quoteAmount"], event["makerFee"], event["takerFee"]) == (
        base, quote, maker_fee, taker_fee)
    assert (event["makerFilled"], event["takerFilled"]) == (base, base)
    assert event["makerSide"] == SELL
    collected = {(e["token"], e["amount"]) for e in tx.events["FeesCollected"]}
    assert collected == {(base_token.address, taker_fee), (quote_token.address, maker_fee)}


def test_a_second_batch_reuses_the_cached_signature_check(exchange, book, alice, bob):
    sell = book.order(alice, SELL, 2 * E18, PRICE_2000)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert order_status(exchange, book.hash(sell)) == (E18, True, False)

    tx = book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18, 2000 * E6)])

    assert skipped_reasons(tx) == []
    assert order_status(exchange, book.hash(sell)) == (2 * E18, True, False)
    assert order_status(exchange, book.hash(buy)) == (2 * E18, True, False)


def test_one_order_fills_against_several_orders_in_one_batch(exchange, book, traders):
    alice, bob, carol, dave = traders
    buy = book.order(alice, BUY, 3 * E18, PRICE_2000)
    sells = [book.order(t, SELL, E18, PRICE_2000 - i) for i, t in enumerate((bob, carol, dave))]
    legs = [(buy, alice.key)] + [(s, t.key) for s, t in zip(sells, (bob, carol, dave), strict=False)]

    tx = book.settle(legs, [trade(i + 1, 0, E18, 2000 * E6) for i in range(3)])

    assert skipped_reasons(tx) == []
    assert [e["takerFilled"] for e in tx.events["TradeSettled"]] == [E18, 2 * E18, 3 * E18]
    # filled completely in the batch it first traded in: its nonce's bit is its only record
    assert nonce_used(exchange, buy) and order_status(exchange, book.hash(buy)) == (0, False, False)
