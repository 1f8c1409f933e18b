"""Market-data history from the database: recent trades, and the hub's start from the book and the stored candles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import Fill
from backend.engine import Engine
from backend.marketdata.candle_store import last_day
from backend.marketdata.hub import MarketDataHub
from backend.trading.views.publish import fill_message

MAX_SEED_LEVELS = 100_000


def recent_trades(session: Session, market: str, limit: int, before_id: int | None) -> list[dict[str, Any]]:
    """Trades of `market`, newest first, with ids below `before_id` (the cursor) if given."""
    query = select(Fill).where(Fill.market == market)
    if before_id is not None:
        query = query.where(Fill.id < before_id)
    rows = session.scalars(query.order_by(Fill.id.desc()).limit(limit))
    return [fill_message(_row(fill)) for fill in rows]


def _row(fill: Fill) -> dict[str, Any]:
    return {column: getattr(fill, column) for column in Fill.__table__.columns.keys()}  # noqa: SIM118


def seed_hub(hub: MarketDataHub, engine: Engine, book_seqs: Mapping[str, int], session: Session, now_ms: int) -> None:
    """Start the hub's views of the markets from the engine's book, which must be as of each market's
    book delta `book_seqs[market]` (every change published), and the stored candles of the last day."""
    for market, seq in book_seqs.items():
        depth = engine.depth(market, MAX_SEED_LEVELS)
        hub.seed(market, seq, depth.bids, depth.asks, *last_day(session, market, now_ms))
