"""Market-data history from the database: recent trades and the ticks that candles are made of."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import Fill
from backend.engine import Engine
from backend.marketdata.candles import DAY_MS, Candle, Tick, aggregate, bucket
from backend.marketdata.hub import MarketDataHub
from backend.trading.views.publish import fill_message

MAX_TICKS = 200_000  # a candle query reads at most this many trades (newest kept)
MAX_SEED_LEVELS = 100_000


def recent_trades(session: Session, market: str, limit: int, before_id: int | None) -> list[dict[str, Any]]:
    """Trades of `market`, newest first, with ids below `before_id` (the cursor) if given."""
    query = select(Fill).where(Fill.market == market)
    if before_id is not None:
        query = query.where(Fill.id < before_id)
    rows = session.scalars(query.order_by(Fill.id.desc()).limit(limit))
    return [fill_message(_row(fill)) for fill in rows]


def ticks(session: Session, market: str, start_ms: int, end_ms: int) -> list[Tick]:
    """(time, price, base, quote) of the market's trades in [start_ms, end_ms), oldest first (the newest
    MAX_TICKS of them)."""
    return _ticks(session, market, start_ms, end_ms, MAX_TICKS)


def candles(session: Session, market: str, start_ms: int, end_ms: int, interval_ms: int) -> list[Candle]:
    """Candles of the market's trades in [start_ms, end_ms), oldest first. At most MAX_TICKS trades are read, the
    newest: when there are more, the candles from the one holding the oldest trade read back are left out whole,
    since the trades not read may belong to it (a candle is never answered short of some of its trades)."""
    rows = _ticks(session, market, start_ms, end_ms, MAX_TICKS + 1)
    if len(rows) > MAX_TICKS:  # the oldest row is past the limit: it only says that older trades may exist
        first_whole = bucket(rows[0][0], interval_ms) + interval_ms
        rows = [tick for tick in rows if tick[0] >= first_whole]
    return aggregate(rows, interval_ms)


def _ticks(session: Session, market: str, start_ms: int, end_ms: int, limit: int) -> list[Tick]:
    rows = session.execute(
        select(Fill.created_at_ms, Fill.price, Fill.base_amount, Fill.quote_amount)
        .where(Fill.market == market, Fill.created_at_ms >= start_ms, Fill.created_at_ms < end_ms)
        .order_by(Fill.id.desc())
        .limit(limit)
    )
    return list(reversed([(int(t), int(p), int(b), int(q)) for t, p, b, q in rows]))


def _row(fill: Fill) -> dict[str, Any]:
    return {column: getattr(fill, column) for column in Fill.__table__.columns.keys()}  # noqa: SIM118


def seed_hub(hub: MarketDataHub, engine: Engine, book_seqs: Mapping[str, int], session: Session, now_ms: int) -> None:
    """Start the hub's views of the markets from the engine's book, which must be as of each market's
    book delta `book_seqs[market]` (every change published), and the last day of trades."""
    for market, seq in book_seqs.items():
        depth = engine.depth(market, MAX_SEED_LEVELS)
        hub.seed(market, seq, depth.bids, depth.asks, ticks(session, market, now_ms - DAY_MS, now_ms + 1))
