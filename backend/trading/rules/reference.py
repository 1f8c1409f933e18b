"""A market's reference price: what its price bands and circuit breaker measure a move against.

Definition: the reference at time `now` is the price of the market's last trade at or before `now - window`
(the price the market had when the breaker window began). A market with no trade that old (a new market)
falls back to its first trade, and a market that never traded has none (no band, no breaker). After a
restart the market's last trade (the engine's) stands for the time before the window. When a halt ends, the
history is dropped and the reference restarts at the halt's price: the market reopens measured from where it
stopped.

Trades are kept one per second (the last price of each second), so memory is bounded by the window's length
in seconds whatever the trade rate; the reference is exact to the second.
"""

from __future__ import annotations

from collections import deque


class ReferencePrice:
    """One market's reference price over a sliding window (see the module docs)."""

    __slots__ = ("_anchor", "_points", "window_ms")

    def __init__(self, window_ms: int, last_price: int | None = None) -> None:
        self.window_ms = window_ms
        self._anchor = last_price  # the last price at or before the window's start
        self._points: deque[tuple[int, int]] = deque()  # (second in ms, last price in that second), oldest first

    def record(self, ts_ms: int, price: int) -> None:
        """A trade at `price` at `ts_ms` (times never go back: a trade older than the newest one counts as now)."""
        second = ts_ms - ts_ms % 1000
        points = self._points
        if self._anchor is None:  # the first trade ever stands for the time before the window
            self._anchor = price
        if points and points[-1][0] >= second:
            points[-1] = (points[-1][0], price)
        else:
            points.append((second, price))
            self._slide(ts_ms)

    def value(self, now_ms: int) -> int | None:
        """The reference price at `now_ms`, None before the market's first trade."""
        self._slide(now_ms)
        return self._anchor

    def reset(self, price: int) -> None:
        """A halt ended: measure from `price` (the halt's) from now on."""
        self._points.clear()
        self._anchor = price

    def _slide(self, now_ms: int) -> None:
        start, points = now_ms - self.window_ms, self._points
        while points and points[0][0] + 999 <= start:  # the whole second is at or before the window's start
            self._anchor = points.popleft()[1]
