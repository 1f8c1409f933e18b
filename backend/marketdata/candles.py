"""Candles (OHLCV) from trades: pure aggregation over fixed, epoch-aligned intervals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INTERVALS_MS: dict[str, int] = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "1d": 86_400_000,
}
DAY_MS = 86_400_000


@dataclass(slots=True)
class Candle:
    """One interval: prices in limitPrice units, volumes in base and quote base units."""

    start: int
    open: int
    high: int
    low: int
    close: int
    base_volume: int
    quote_volume: int
    trades: int

    def add(self, price: int, base: int, quote: int) -> None:
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.base_volume += base
        self.quote_volume += quote
        self.trades += 1

    def merge(self, later: Candle) -> None:
        """Fold in `later`: the same interval's trades that came after this candle's."""
        self.high = max(self.high, later.high)
        self.low = min(self.low, later.low)
        self.close = later.close
        self.base_volume += later.base_volume
        self.quote_volume += later.quote_volume
        self.trades += later.trades

    def to_json(self, interval: str) -> dict[str, Any]:
        return {
            "interval": interval,
            "start": self.start,
            "open": str(self.open),
            "high": str(self.high),
            "low": str(self.low),
            "close": str(self.close),
            "baseVolume": str(self.base_volume),
            "quoteVolume": str(self.quote_volume),
            "trades": self.trades,
        }


def bucket(time_ms: int, interval_ms: int) -> int:
    return time_ms - time_ms % interval_ms


def ticker(candles: Iterable[Candle], now_ms: int) -> dict[str, Any]:
    """24h statistics from 1m candles (oldest first): open, high, low, last, volumes, change."""
    window = [c for c in candles if c.start > now_ms - DAY_MS]
    if not window:
        return {
            "open": None,
            "high": None,
            "low": None,
            "last": None,
            "baseVolume": "0",
            "quoteVolume": "0",
            "trades": 0,
        }
    return {
        "open": str(window[0].open),
        "high": str(max(c.high for c in window)),
        "low": str(min(c.low for c in window)),
        "last": str(window[-1].close),
        "baseVolume": str(sum(c.base_volume for c in window)),
        "quoteVolume": str(sum(c.quote_volume for c in window)),
        "trades": sum(c.trades for c in window),
    }
