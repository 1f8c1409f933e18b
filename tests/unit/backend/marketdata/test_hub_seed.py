"""A hub started again (`seed`) from the stored candles of the last day goes on counting live trades in the current
minute in both the minute's candle and the 24h ticker: one trade before the restart and one after are two in each."""

from __future__ import annotations

import asyncio
import types
from typing import Any

import pytest

from backend.marketdata import hub as hub_module
from backend.marketdata.bus import InProcessBus
from backend.marketdata.candle_store import fold
from backend.marketdata.candles import INTERVALS_MS, bucket
from backend.marketdata.hub import MarketDataHub

NOW_MS = 1_700_000_030_000  # half a minute into a minute


def fill(time_ms: int, price: int, base: int) -> dict[str, Any]:
    return {"market": "A", "price": price, "base_amount": base, "quote_amount": base * price, "created_at_ms": time_ms}


def trade(time_ms: int, price: int) -> dict[str, Any]:
    return {"type": "trade", "time": time_ms, "price": str(price), "baseAmount": "2", "quoteAmount": str(2 * price)}


def test_a_live_trade_in_the_seeded_minute_counts_in_its_candle_and_in_the_ticker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "time", types.SimpleNamespace(time_ns=lambda: NOW_MS * 1_000_000))

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        fills = [fill(NOW_MS - 3_600_000, 9, 1), fill(NOW_MS - 1_000, 10, 2)]  # an hour ago, and this minute
        candles = fold(fills)
        minutes = [c for (_, span, _), c in sorted(candles.items()) if span == "1m"]
        current = {span: c for (_, span, start), c in candles.items() if start == bucket(NOW_MS, INTERVALS_MS[span])}
        hub.seed("A", 0, [], [], minutes, current)
        hub.publish([("trades:A", trade(NOW_MS, 12))])  # live, after the restart, in the same minute
        return hub.candles["A"]["1m"].to_json("1m"), hub.ticker("A")

    candle, ticker = asyncio.run(scenario())
    assert (candle["open"], candle["close"], candle["trades"]) == ("10", "12", 2)
    assert (ticker["trades"], ticker["baseVolume"], ticker["open"], ticker["last"]) == (3, "5", "9", "12")
