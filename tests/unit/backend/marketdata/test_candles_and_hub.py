"""Fills fold into candles exactly; the hub keeps book deltas' seq, follows them, and derives candles and tickers."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from backend.marketdata.bus import InProcessBus
from backend.marketdata.candle_store import fold
from backend.marketdata.candles import INTERVALS_MS, ticker
from backend.marketdata.hub import BookView, MarketDataHub


def fills(*ticks: tuple[int, int, int]) -> list[dict[str, Any]]:
    """Fill rows of market A at (time ms, price, base amount), in id order."""
    return [
        {"market": "A", "price": p, "base_amount": b, "quote_amount": b * p, "created_at_ms": t} for t, p, b in ticks
    ]


def test_fills_fold_into_epoch_aligned_candles_of_every_interval() -> None:
    candles = fold(fills((60_000, 10, 1), (61_000, 12, 2), (119_999, 9, 1), (120_000, 11, 5)))
    first, second = candles[("A", "1m", 60_000)], candles[("A", "1m", 120_000)]
    assert (first.start, first.open, first.high, first.low, first.close, first.base_volume, first.trades) == (
        60_000, 10, 12, 9, 9, 4, 3,
    )  # fmt: skip
    assert (second.start, second.open, second.quote_volume) == (120_000, 11, 55)
    five = candles[("A", "5m", 0)]
    assert (five.open, five.high, five.low, five.close, five.base_volume, five.trades) == (10, 12, 9, 11, 9, 4)
    assert {key[1] for key in candles} == set(INTERVALS_MS)


def test_a_later_batch_merges_into_the_stored_candle() -> None:
    stored = fold(fills((60_000, 10, 1), (70_000, 15, 1)))[("A", "1h", 0)]
    stored.merge(fold(fills((80_000, 8, 2)))[("A", "1h", 0)])
    merged = (stored.open, stored.high, stored.low, stored.close, stored.base_volume, stored.trades)
    assert merged == (10, 15, 8, 8, 4, 3)


def test_the_ticker_covers_the_last_24_hours_only() -> None:
    candles = fold(fills((0, 5, 1), (90_000_000, 7, 2), (90_060_000, 8, 1)))
    minutes = [c for (_, span, _), c in sorted(candles.items()) if span == "1m"]
    stats = ticker(minutes, now_ms=90_100_000)
    assert (stats["open"], stats["high"], stats["last"], stats["baseVolume"], stats["trades"]) == (
        "7",
        "8",
        "8",
        "3",
        2,
    )
    assert ticker([], now_ms=0)["last"] is None


async def published(hub: MarketDataHub, key: str) -> list[dict[str, Any]]:
    subscription = await hub.subscribe(key)
    return subscription.queue._queue  # type: ignore[attr-defined,no-any-return]


def test_book_deltas_keep_the_seq_the_engine_host_gave_them_and_the_view_follows() -> None:
    async def scenario() -> None:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        hub.seed("A", 40, [], [], [], {})  # restarted: the host numbers on from its stored seq
        seen = await published(hub, "book:A")
        hub.publish([("book:A", {"seq": 41, "side": "buy", "price": "10", "qty": "5"}),
                     ("book:B", {"seq": 41, "side": "sell", "price": "11", "qty": "1"}),
                     ("book:A", {"seq": 42, "side": "buy", "price": "10", "qty": "0"})])  # fmt: skip
        assert [m["seq"] for m in seen] == [41, 42]
        assert hub.books["A"].snapshot(10) == {"seq": 42, "bids": [], "asks": []}
        assert hub.books["B"].snapshot(10)["asks"] == [["11", "1"]]

    asyncio.run(scenario())


def test_a_trade_publishes_itself_candles_for_every_interval_and_the_ticker() -> None:
    async def scenario() -> None:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        candles = await published(hub, "candles:A:1h")
        tickers = await published(hub, "ticker:A")
        trade = {"type": "trade", "time": 3_600_000, "price": "10", "baseAmount": "2", "quoteAmount": "20"}
        hub.publish([("trades:A", trade), ("trades:A", {**trade, "price": "12"})])
        assert [(c["open"], c["close"], c["trades"]) for c in candles] == [("10", "10", 1), ("10", "12", 2)]
        assert len(tickers) == 1 and tickers[0]["baseVolume"] in ("0", "4")  # old trades fall outside 24h

    asyncio.run(scenario())


def delta(seq: int, side: str, price: int, qty: int) -> tuple[str, dict[str, Any]]:
    return "book:A", {"seq": seq, "side": side, "price": str(price), "qty": str(qty)}


def test_a_move_of_the_best_bid_or_ask_publishes_the_ticker_with_them_and_a_deeper_change_does_not() -> None:
    async def scenario() -> None:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        hub.seed("A", 0, [(10, 5), (9, 5)], [(12, 5)], [], {})
        tickers = await published(hub, "ticker:A")
        hub.publish([delta(1, "buy", 8, 1)])  # below the best bid
        hub.publish([delta(2, "sell", 13, 1), delta(3, "sell", 13, 0)])  # behind the best ask, and gone again
        assert not tickers
        hub.publish([delta(4, "buy", 11, 2)])  # inside the spread
        hub.publish([delta(5, "sell", 12, 0)])  # the only ask cancelled: no best ask
        hub.publish([delta(6, "buy", 11, 0), delta(7, "buy", 11, 3)])  # out and back in one batch: no move
        assert [(t["bestBid"], t["bestAsk"]) for t in tickers] == [("11", "12"), ("11", None)]
        assert tickers[0]["market"] == "A" and "baseVolume" in tickers[0]

    asyncio.run(scenario())


def test_the_book_view_follows_its_best_prices_as_levels_come_and_go() -> None:
    view = BookView()
    assert view.top() == (None, None)
    for price in (5, 7, 6):
        view.apply("buy", price, 1)
        view.apply("sell", price + 10, 1)
    assert view.top() == (7, 15)
    view.apply("buy", 7, 0)  # the best bid emptied: the next best is found
    view.apply("sell", 15, 0)
    assert view.top() == (6, 16)
    view.apply("buy", 6, 4)  # a new quantity at the best price keeps it
    view.apply("buy", 9, 0)  # a level that was not there changes nothing
    assert view.top() == (6, 16)
    for price in (5, 6):
        view.apply("buy", price, 0)
    assert view.top() == (None, 16)
    assert view.snapshot(5)["bids"] == []


def test_the_tickers_24h_figures_follow_every_trade_and_stand_between_them() -> None:
    """The figures are read once a minute (the window moves no faster) and again after each trade."""

    async def scenario() -> None:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        tickers = await published(hub, "ticker:A")
        now = int(time.time() * 1000)
        trade = {"type": "trade", "time": now, "price": "10", "baseAmount": "2", "quoteAmount": "20"}
        hub.publish([("trades:A", trade)])
        hub.publish([delta(1, "buy", 9, 1)])  # a best bid, no trade
        hub.publish([("trades:A", {**trade, "price": "12"})])
        assert [(t["trades"], t["last"], t["bestBid"]) for t in tickers] == [
            (1, "10", None),
            (1, "10", "9"),
            (2, "12", "9"),
        ]
        assert hub.ticker("A")["baseVolume"] == "4"

    asyncio.run(scenario())


def test_a_snapshot_is_the_best_levels_of_each_side_in_order_whatever_came_and_went() -> None:
    """Against the book the deltas describe, sorted from scratch: random levels set, changed and emptied."""
    rng = random.Random(7)
    view, book = BookView(), {"buy": dict[int, int](), "sell": dict[int, int]()}
    for _ in range(3_000):
        side, price, qty = rng.choice(("buy", "sell")), rng.randrange(1, 400), rng.choice((0, 0, 1, 2, 5))
        view.apply(side, price, qty)
        if qty:
            book[side][price] = qty
        else:
            book[side].pop(price, None)
    for depth in (0, 1, 7, 50, 1_000):
        snapshot = view.snapshot(depth)
        assert snapshot["bids"] == [[str(p), str(book["buy"][p])] for p in sorted(book["buy"], reverse=True)[:depth]]
        assert snapshot["asks"] == [[str(p), str(book["sell"][p])] for p in sorted(book["sell"])[:depth]]
    assert view.top() == (max(book["buy"]), min(book["sell"]))
