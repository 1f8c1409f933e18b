from conftest import (
    E6,
    E18,
    PRICE_2000,
    assert_settled,
    assert_skipped,
    order_status,
    reverts_with,
    selector,
    skipped_reasons,
)
from exchange_signing import BUY, SELL, trade


def test_skips_an_order_cancelled_by_hash(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    tx = exchange.cancelOrders([sell.as_tuple()], {"from": alice.account})
    [event] = tx.events["OrderCancelledByMaker"]
    assert (event["maker"], event["orderHash"], event["nonce"]) == (alice.address, book.hash(sell), sell.nonce)
    assert order_status(exchange, book.hash(sell)) == (0, False, True)
    tx = book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "OrderCancelled")


def test_cancelling_a_partly_filled_order_stops_further_fills(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_settled(book.settle([(sell, alice.key), (buy, bob.key)], [trade(0, 1, E18 // 2, 1000 * E6)]))
    exchange.cancelOrders([sell.as_tuple()], {"from": alice.account})
    tx = book.settle([(sell, b""), (buy, b"")], [trade(0, 1, E18 // 2, 1000 * E6)])
    assert_skipped(tx, exchange, "OrderCancelled")


def test_reverts_when_cancelling_an_order_of_another_maker(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    with reverts_with("CancelNotMaker"):
        exchange.cancelOrders([sell.as_tuple()], {"from": bob.account})


def test_skips_an_order_below_the_nonce_floor(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000, nonce=5)
    kept = book.order(alice, SELL, E18, PRICE_2000, nonce=6)
    buy = book.order(bob, BUY, 2 * E18, PRICE_2000)
    tx = exchange.raiseNonceFloor(6, {"from": alice.account})
    assert tx.events["NonceFloorRaised"][0]["nonceFloor"] == 6
    tx = book.settle([(sell, alice.key), (kept, alice.key), (buy, bob.key)],
                     [trade(0, 2, E18, 2000 * E6), trade(1, 2, E18, 2000 * E6)])
    assert [e["tradeIndex"] for e in tx.events["TradeSkipped"]] == [0]
    assert skipped_reasons(tx) == [selector(exchange, "OrderNonceBelowFloor")]
    assert len(tx.events["TradeSettled"]) == 1


def test_the_nonce_floor_only_rises(exchange, alice):
    exchange.raiseNonceFloor(10, {"from": alice.account})
    for floor in (10, 9):
        with reverts_with("NonceFloorNotRaised"):
            exchange.raiseNonceFloor(floor, {"from": alice.account})
    assert exchange.walletState(alice)[0] == 10


def test_a_cancel_stops_its_nonces_untraded_twins_and_a_traded_twin_once_cancelled_too(exchange, book, alice, bob):
    """Two orders of one nonce can both trade only in one batch, each on its own counter afterwards: cancelling one
    refuses the nonce's orders that never traded, and the other traded one until it is cancelled too (as
    IExchange.cancelOrders says)."""
    quote = 2000 * E6
    a = book.order(alice, SELL, 2 * E18, PRICE_2000, nonce=7)
    b = book.order(alice, SELL, 3 * E18, PRICE_2000 + 1, nonce=7)
    untraded = book.order(alice, SELL, 2 * E18, PRICE_2000 + 2, nonce=7)
    buy = book.order(bob, BUY, 10 * E18, 2 * PRICE_2000)
    both = book.settle([(a, alice.key), (b, alice.key), (buy, bob.key)],
                       [trade(0, 2, E18, quote), trade(1, 2, E18, quote + 1)])  # fmt: skip
    assert_settled(both, 2)
    exchange.cancelOrders([a.as_tuple()], {"from": alice.account})
    assert_skipped(book.settle([(untraded, alice.key), (buy, b"")], [trade(0, 1, E18, quote + 2)]), exchange,
                   "OrderNonceUsed")  # fmt: skip
    assert_settled(book.settle([(b, b""), (buy, b"")], [trade(0, 1, E18, quote + 1)]))
    exchange.cancelOrders([b.as_tuple()], {"from": alice.account})
    assert_skipped(book.settle([(b, b""), (buy, b"")], [trade(0, 1, E18, quote + 1)]), exchange,
                   "OrderCancelled")  # fmt: skip
