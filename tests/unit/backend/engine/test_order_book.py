"""The fast book on its own: levels, priority within a level, removal anywhere, depth."""

from __future__ import annotations

from backend.engine import OrderBook, SelfTradePrevention, Side
from backend.engine.orders import RestingOrder

_priority = iter(range(1, 1_000))


def _order(order_id: str, side: Side, price: int, qty: int) -> RestingOrder:
    return RestingOrder(
        order_id, "alice", "M", side, price, qty, SelfTradePrevention.CANCEL_TAKER, None, next(_priority)
    )


def test_the_best_bid_is_the_highest_and_the_best_ask_the_lowest() -> None:
    book = OrderBook()
    for price in (99, 101, 100):
        book.add(_order(f"b{price}", Side.BUY, price, 1))
        book.add(_order(f"s{price + 10}", Side.SELL, price + 10, 1))
    best_bid, best_ask = book.best(Side.BUY), book.best(Side.SELL)
    assert best_bid is not None and best_bid.price == 101
    assert best_ask is not None and best_ask.price == 109


def test_add_returns_the_level_total_and_keeps_arrival_order() -> None:
    book = OrderBook()
    assert book.add(_order("a", Side.SELL, 100, 2)) == 2
    assert book.add(_order("b", Side.SELL, 100, 3)) == 5
    assert [o.order_id for o in book.orders(Side.SELL)] == ["a", "b"]


def test_removing_an_order_from_the_middle_of_a_level_keeps_the_others_in_order() -> None:
    book = OrderBook()
    orders = [_order(name, Side.BUY, 100, 1) for name in "abc"]
    for order in orders:
        book.add(order)
    assert book.remove(orders[1]) == 2
    assert [o.order_id for o in book.orders(Side.BUY)] == ["a", "c"]


def test_removing_the_last_order_of_a_level_that_is_not_the_best_drops_the_level() -> None:
    book = OrderBook()
    far, near = _order("far", Side.SELL, 120, 1), _order("near", Side.SELL, 100, 1)
    book.add(far)
    book.add(near)
    assert book.remove(far) == 0
    assert book.depth(Side.SELL, 5) == [(100, 1)]


def test_reduce_lowers_the_order_and_its_level() -> None:
    book = OrderBook()
    order = _order("a", Side.BUY, 100, 5)
    book.add(order)
    book.add(_order("b", Side.BUY, 100, 1))
    assert book.reduce(order, 3) == 3
    assert order.remaining == 2


def test_depth_lists_at_most_the_levels_asked_for_and_nothing_for_zero() -> None:
    book = OrderBook()
    for price in (100, 101, 102):
        book.add(_order(f"s{price}", Side.SELL, price, price - 99))
    assert book.depth(Side.SELL, 2) == [(100, 1), (101, 2)]
    assert book.depth(Side.SELL, 0) == []
    assert book.best(Side.BUY) is None
