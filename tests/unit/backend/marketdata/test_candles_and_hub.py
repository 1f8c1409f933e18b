"""Candles aggregate exactly; the hub keeps book deltas' seq, follows them, and derives candles and tickers."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.marketdata.bus import InProcessBus
from backend.marketdata.candles import aggregate, ticker
from backend.marketdata.hub import MarketDataHub


def test_trades_aggregate_into_epoch_aligned_candles() -> None:
    ticks = [(60_000, 10, 1, 10), (61_000, 12, 2, 24), (119_999, 9, 1, 9), (120_000, 11, 5, 55)]
    first, second = aggregate(ticks, 60_000)
    assert (first.start, first.open, first.high, first.low, first.close, first.base_volume, first.trades) == (
        60_000, 10, 12, 9, 9, 4, 3,
    )  # fmt: skip
    assert (second.start, second.open, second.quote_volume) == (120_000, 11, 55)


def test_the_ticker_covers_the_last_24_hours_only() -> None:
    candles = aggregate([(0, 5, 1, 5), (90_000_000, 7, 2, 14), (90_060_000, 8, 1, 8)], 60_000)
    stats = ticker(candles, now_ms=90_100_000)
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
        hub.seed("A", 40, [], [], [])  # restarted: the host numbers on from its stored seq
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
