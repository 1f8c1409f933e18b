"""The market-data hub of one process: live views and subscriber queues.

The engine's process calls `publish(publications)` after each durable batch: book deltas carry the
sequence number the engine host gave them, one more than the market's previous delta (a client that
sees seq jump by more than one lost a message and should resubscribe for a fresh snapshot); the host
stores the numbering with its batches, so a restart may jump it forward, never back. Trades update
the current candles and the 24h ticker, which are published too; so is the ticker of a market whose
best bid or ask a batch moved. Everything then travels through
the bus to every hub watching its channel (this one at once), which hands each message to the queues
subscribed to the channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from sortedcontainers import SortedDict

from backend.marketdata.bus import Bus
from backend.marketdata.candles import INTERVALS_MS, Candle, bucket, ticker

log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000
MINUTES_KEPT = 24 * 60 + 1
MINUTE_MS = INTERVALS_MS["1m"]


class BookView:
    """Aggregated levels of one market as published so far, and the book channel's sequence. Each side is kept sorted
    by price: the hub reads the best prices at every batch of deltas (a ticker goes out when they move) and a
    snapshot reads the best `depth` levels, neither of which may scan a deep book."""

    def __init__(self, seq: int = 0) -> None:
        self.levels: dict[str, SortedDict] = {"buy": SortedDict(), "sell": SortedDict()}  # price -> quantity
        self.seq = seq

    def apply(self, side: str, price: int, qty: int) -> None:
        if qty:
            self.levels[side][price] = qty
        else:
            self.levels[side].pop(price, None)

    def best(self, side: str) -> int | None:
        """The best price of `side` ("buy": the highest bid, "sell": the lowest ask) as of `seq`; None if empty."""
        levels = self.levels[side]
        return int(levels.peekitem(-1 if side == "buy" else 0)[0]) if levels else None

    def top(self) -> tuple[int | None, int | None]:
        """The best bid and the best ask."""
        return self.best("buy"), self.best("sell")

    def snapshot(self, depth: int) -> dict[str, Any]:
        """Up to `depth` levels per side, best first, as of `seq` (what `GET .../book` and a subscribe send)."""
        bids, asks = self.levels["buy"], self.levels["sell"]
        best_bids = bids.islice(max(len(bids) - depth, 0), reverse=True)
        best_asks = asks.islice(0, max(depth, 0))
        return {
            "seq": self.seq,
            "bids": [[str(p), str(bids[p])] for p in best_bids],
            "asks": [[str(p), str(asks[p])] for p in best_asks],
        }


class Subscription:
    """One WebSocket's queue of messages; closed when it falls too far behind, or ended by the hub (`ended`: the
    close code and reason its socket gets)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False
        self.ended: tuple[int, str] | None = None

    def put(self, message: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True

    def end(self, code: int, reason: str) -> None:
        """Close the socket with `code` once its sender wakes (an empty message wakes it)."""
        self.ended = (code, reason)
        self.put({})


class MarketDataHub:
    """Live views plus channel subscriptions (see the module docs)."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.books: dict[str, BookView] = {}
        self.candles: dict[str, dict[str, Candle]] = {}  # market -> interval -> current candle
        self.minutes: dict[str, deque[Candle]] = {}  # market -> last day of 1m candles (ticker)
        # market -> (the minute they were read in, the 24h figures of `minutes`): the window's minute candles change
        # only with a trade (which drops them) or at the next minute, and a day of them takes some 0.2 ms to read,
        # now paid at each batch that moves a best price
        self._day: dict[str, tuple[int, dict[str, Any]]] = {}
        self._subscribers: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        await self.bus.start(self.deliver)

    async def stop(self) -> None:
        await self.bus.stop()

    def seed(
        self,
        market: str,
        seq: int,
        bids: Iterable[tuple[int, int]],
        asks: Iterable[tuple[int, int]],
        minutes: list[Candle],
        current: dict[str, Candle],
    ) -> None:
        """Start a market's views from the engine's book as of book delta `seq`, the minutes of the last day (oldest
        first) and the candles of the current intervals (`backend.marketdata.candle_store.last_day`)."""
        view = self.books[market] = BookView(seq)
        for price, qty in bids:
            view.apply("buy", price, qty)
        for price, qty in asks:
            view.apply("sell", price, qty)
        self.minutes[market] = deque(minutes, maxlen=MINUTES_KEPT)
        self._day.pop(market, None)
        current = self.candles[market] = dict(current)
        # The current minute's candle is the ticker's last minute too: one object, or live trades in it would
        # reach the candle and not the 24h ticker
        if minutes and "1m" in current and minutes[-1].start == current["1m"].start:
            current["1m"] = minutes[-1]

    def publish(self, publications: list[tuple[str, dict[str, Any]]]) -> None:
        """Number book deltas, derive candles and tickers from trades, and send it all."""
        out: list[tuple[str, dict[str, Any]]] = []
        traded: set[str] = set()
        tops: dict[str, tuple[int | None, int | None]] = {}  # market -> its best bid and ask before this batch
        for key, message in publications:
            channel, _, target = key.partition(":")
            if channel == "book":
                view = self.books.get(target)
                if view is None:  # not `setdefault(target, BookView())`: a view costs ~20 µs to make, per delta
                    view = self.books[target] = BookView()
                if target not in tops:
                    tops[target] = view.top()
                view.seq = message["seq"]
                view.apply(message["side"], int(message["price"]), int(message["qty"]))
                out.append((key, {"channel": "book", "market": target, "type": "delta", **message}))
            elif channel == "trades":
                out.append((key, {"channel": "trades", **message}))
                out.extend(self._candles(target, message))
                self._day.pop(target, None)
                traded.add(target)
            else:
                out.append((key, {"channel": channel, **message}))
        # a ticker after a trade, and when the best bid or ask moved without one (an order placed inside the spread,
        # the best level cancelled): a quoting bot follows the top of the book from this channel alone
        moved = {market for market, top in tops.items() if self.books[market].top() != top}
        for market in sorted(traded | moved):
            out.append((f"ticker:{market}", {"channel": "ticker", "market": market, **self.ticker(market)}))
        self.bus.publish(out)

    def ticker(self, market: str) -> dict[str, Any]:
        """24h statistics of a market from the hub's minute candles, and its best bid and ask as published (those
        of `GET .../book` at its `seq`)."""
        now_ms = time.time_ns() // 1_000_000
        minute = now_ms // MINUTE_MS
        day = self._day.get(market)
        if day is None or day[0] != minute:  # candles start on whole minutes: the window moves only with the minute
            day = self._day[market] = (minute, ticker(self.minutes.get(market, ()), now_ms))
        view = self.books.get(market)
        bid, ask = view.top() if view is not None else (None, None)
        return {
            **day[1],
            "bestBid": None if bid is None else str(bid),
            "bestAsk": None if ask is None else str(ask),
        }

    def reset(self) -> None:
        """This process's engine host stopped: its views are gone and every subscriber is told to reconnect with
        1012 (service restart), through the balancer to the process that runs the book now. Their views would
        stand still otherwise: the new holder publishes to its own hub, and this one hears only workers."""
        self.books.clear()
        self.candles.clear()
        self.minutes.clear()
        self._day.clear()
        for subscription in {s for subscribers in self._subscribers.values() for s in subscribers}:
            subscription.end(1012, "the engine moved: reconnect")

    async def subscribe(self, key: str) -> Subscription:
        subscription = Subscription()
        await self.attach(key, subscription)
        return subscription

    async def attach(self, key: str, subscription: Subscription) -> None:
        """Deliver `key`'s messages to an existing subscription (one socket, several channels); returns once
        the bus brings the key's messages from other processes too (a worker's account updates)."""
        self._subscribers.setdefault(key, set()).add(subscription)
        await self.bus.watch(key)

    def detach(self, key: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(key)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[key]
                self.bus.unwatch(key)

    def deliver(self, key: str, message: dict[str, Any]) -> None:
        """Hand a message from the bus to its channel's subscribers."""
        for subscription in self._subscribers.get(key, ()):
            subscription.put(message)

    def _candles(self, market: str, trade: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        time_ms, price = int(trade["time"]), int(trade["price"])
        base, quote = int(trade["baseAmount"]), int(trade["quoteAmount"])
        current = self.candles.setdefault(market, {})
        out = []
        for interval, size in INTERVALS_MS.items():
            start = bucket(time_ms, size)
            candle = current.get(interval)
            if candle is None or candle.start != start:
                candle = current[interval] = Candle(start, price, price, price, price, 0, 0, 0)
                if interval == "1m":
                    self.minutes.setdefault(market, deque(maxlen=MINUTES_KEPT)).append(candle)
            candle.add(price, base, quote)
            out.append(
                (f"candles:{market}:{interval}", {"channel": "candles", "market": market, **candle.to_json(interval)})
            )
        return out
