"""The naive reference book: an unsorted list per side, sorted on every read.

Obviously right rather than fast. Its order comes from `RestingOrder.priority`, whereas the fast
book's comes from insertion order, so the shared suite also checks that the engine hands out
priorities in the order it rests orders (and restores them that way).
"""

from __future__ import annotations

from collections.abc import Iterator

from backend.engine.orders import Book, RestingOrder
from backend.engine.types import Side


class ReferenceBook(Book):
    """A `backend.engine.orders.Book` of lists and sorting."""

    def __init__(self) -> None:
        self._sides: dict[Side, list[RestingOrder]] = {Side.BUY: [], Side.SELL: []}

    def add(self, order: RestingOrder) -> int:
        self._sides[order.side].append(order)
        return self._level_total(order.side, order.price)

    def remove(self, order: RestingOrder) -> int:
        orders = self._sides[order.side]
        orders[:] = [o for o in orders if o is not order]
        return self._level_total(order.side, order.price)

    def reduce(self, order: RestingOrder, qty: int) -> int:
        order.remaining -= qty
        return self._level_total(order.side, order.price)

    def best(self, side: Side) -> RestingOrder | None:
        ordered = self._in_priority(side)
        return ordered[0] if ordered else None

    def orders(self, side: Side) -> Iterator[RestingOrder]:
        yield from self._in_priority(side)

    def depth(self, side: Side, levels: int) -> list[tuple[int, int]]:
        totals: dict[int, int] = {}
        for order in self._in_priority(side):
            totals[order.price] = totals.get(order.price, 0) + order.remaining
        return list(totals.items())[: max(levels, 0)]

    def _in_priority(self, side: Side) -> list[RestingOrder]:
        sign = -1 if side is Side.BUY else 1
        return sorted(self._sides[side], key=lambda o: (sign * o.price, o.priority))

    def _level_total(self, side: Side, price: int) -> int:
        return sum(o.remaining for o in self._sides[side] if o.price == price)
