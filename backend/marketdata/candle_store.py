"""Stored candles (`candles`): every interval's OHLCV of each market, kept up to date in the transaction that stores
the fills, so a chart or a restarted hub reads one row per candle, however many trades a day holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from backend.db.models import StoredCandle
from backend.marketdata.candles import DAY_MS, INTERVALS_MS, Candle, bucket

MINUTE_MS = INTERVALS_MS["1m"]
Key = tuple[str, str, int]  # (market, interval, start ms)


def candle_rows(session: Session, fills: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The `candles` rows a batch of new fills (rows of `fills`, in id order) changes, each with the stored candle
    merged in: upserting them keeps every interval whole. The engine host is the fills' one writer, so nothing
    changes these rows between this read and the batch's commit."""
    batch = fold(fills)
    if not batch:
        return []
    stored = session.scalars(
        select(StoredCandle).where(
            tuple_(StoredCandle.market, StoredCandle.span, StoredCandle.start_ms).in_(list(batch))
        )
    )
    for row in stored:
        candle = batch[(row.market, row.span, row.start_ms)]
        earlier = _candle(row)
        earlier.merge(candle)
        batch[(row.market, row.span, row.start_ms)] = earlier
    return [_row(key, candle) for key, candle in batch.items()]


def fold(fills: Iterable[Mapping[str, Any]]) -> dict[Key, Candle]:
    """The candles of every interval of `fills` (in id order), by (market, interval, start). Each fill is folded
    into its minute once; the longer intervals are made of those minutes."""
    minutes: dict[tuple[str, int], Candle] = {}
    for fill in fills:
        price, base, quote = fill["price"], fill["base_amount"], fill["quote_amount"]
        key = (fill["market"], bucket(fill["created_at_ms"], MINUTE_MS))
        minute = minutes.get(key)
        if minute is None:
            minutes[key] = Candle(key[1], price, price, price, price, base, quote, 1)
        else:
            minute.add(price, base, quote)
    out: dict[Key, Candle] = {}
    for (market, start), minute in sorted(minutes.items()):  # in time order, whatever order the ids gave
        for interval, size in INTERVALS_MS.items():
            span_start = bucket(start, size)
            candle = out.get((market, interval, span_start))
            if candle is None:
                out[(market, interval, span_start)] = replace(minute, start=span_start)
            else:
                candle.merge(minute)
    return out


def stored_candles(session: Session, market: str, interval: str, start_ms: int, end_ms: int) -> list[Candle]:
    """The market's candles of `interval` starting in [start_ms, end_ms), oldest first."""
    rows = session.scalars(
        select(StoredCandle)
        .where(
            StoredCandle.market == market,
            StoredCandle.span == interval,
            StoredCandle.start_ms >= start_ms,
            StoredCandle.start_ms < end_ms,
        )
        .order_by(StoredCandle.start_ms)
    )
    return [_candle(row) for row in rows]


def last_day(session: Session, market: str, now_ms: int) -> tuple[list[Candle], dict[str, Candle]]:
    """What a hub starts a market's candles and ticker from: the minutes of the last day (oldest first) and, per
    interval, the candle of `now_ms` if it has trades. One read: every current candle starts within the day."""
    rows = session.scalars(
        select(StoredCandle)
        .where(
            StoredCandle.market == market,
            StoredCandle.start_ms >= bucket(now_ms - DAY_MS, MINUTE_MS),
            StoredCandle.start_ms <= now_ms,
        )
        .order_by(StoredCandle.start_ms)
    ).all()
    minutes = [_candle(row) for row in rows if row.span == "1m"]
    current = {
        row.span: _candle(row) for row in rows if row.start_ms == bucket(now_ms, INTERVALS_MS[row.span])
    }
    return minutes, current


def _candle(row: StoredCandle) -> Candle:
    return Candle(
        row.start_ms, row.open, row.high, row.low, row.close, row.base_volume, row.quote_volume, row.trades
    )  # fmt: skip


def _row(key: Key, candle: Candle) -> dict[str, Any]:
    market, interval, start = key
    return {
        "market": market,
        "span": interval,
        "start_ms": start,
        "open": candle.open,
        "high": candle.high,
        "low": candle.low,
        "close": candle.close,
        "base_volume": candle.base_volume,
        "quote_volume": candle.quote_volume,
        "trades": candle.trades,
    }
