"""The fast order book: per side a dict of price levels plus a sorted list of level keys.

A level is a dict `order_id -> RestingOrder`: dicts keep insertion order, so the first entry is the
oldest order (time priority), and removing any order by id is O(1). Level keys are `price` for bids
and `-price` for asks, so on both sides "better" means "larger" and the best level is the last key:
adding a level is a `bisect.insort`, and the level that empties most often (the best one, as it
trades) is removed with an O(1) `list.pop()`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from typing import Final

from backend.engine.orders import Book, RestingOrder
from backend.engine.types import Side

_BUY: Final = Side.BUY  # Final: a C static in the compiled core, not a lookup per use


class _Level:
    __slots__ = ("orders", "total")

    def __init__(self) -> None:
        self.orders: dict[str, RestingOrder] = {}
        self.total = 0


class _BookSide:
    __slots__ = ("keys", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.keys: list[int] = []  # ascending; the best level is keys[-1]
        self.levels: dict[int, _Level] = {}


class OrderBook(Book):
    """Price-time priority storage for one market's resting orders (see the module docs)."""

    __slots__ = ("_asks", "_bids")

    def __init__(self) -> None:
        self._bids = _BookSide(1)
        self._asks = _BookSide(-1)

    def add(self, order: RestingOrder) -> int:
        """Rest the order behind every order at its price; return the level's new total."""
        book_side = self._bids if order.side is _BUY else self._asks
        key = order.price * book_side.sign
        level = book_side.levels.get(key)
        if level is None:
            level = book_side.levels[key] = _Level()
            insort(book_side.keys, key)
        level.orders[order.order_id] = order
        level.total += order.remaining
        return level.total

    def remove(self, order: RestingOrder) -> int:
        """Take a resting order out; return its level's total afterwards (0: the level is gone)."""
        book_side = self._bids if order.side is _BUY else self._asks
        key = order.price * book_side.sign
        level = book_side.levels[key]
        del level.orders[order.order_id]
        level.total -= order.remaining
        if level.orders:
            return level.total
        del book_side.levels[key]
        keys = book_side.keys
        if keys[-1] == key:
            keys.pop()
        else:
            del keys[bisect_left(keys, key)]
        return 0

    def reduce(self, order: RestingOrder, qty: int) -> int:
        """Lower a resting order's remaining by `qty` (< remaining) in place; return the level total."""
        book_side = self._bids if order.side is _BUY else self._asks
        level = book_side.levels[order.price * book_side.sign]
        order.remaining -= qty
        level.total -= qty
        return level.total

    def best(self, side: Side) -> RestingOrder | None:
        """The first order in priority on `side`, or None when that side is empty."""
        book_side = self._bids if side is _BUY else self._asks
        keys = book_side.keys
        if keys:
            for order in book_side.levels[keys[-1]].orders.values():
                return order  # the oldest at the best price (an empty level is removed at once)
        return None

    def orders(self, side: Side) -> Iterator[RestingOrder]:
        """Every resting order on `side`, best price first, earliest first within a price."""
        book_side = self._bids if side is _BUY else self._asks
        for key in reversed(book_side.keys):
            yield from book_side.levels[key].orders.values()

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        """Up to `levels` (price, total quantity) pairs on `side`, best first."""
        book_side = self._bids if side is _BUY else self._asks
        best_keys = book_side.keys[-levels:] if levels > 0 else []
        return [(key * book_side.sign, book_side.levels[key].total) for key in reversed(best_keys)]
