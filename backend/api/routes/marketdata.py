"""Market data over REST: `GET /v1/markets/{market}/book`, `/trades`, `/candles`, `/ticker`."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import HostDep, HubDep
from backend.api.schemas import ERROR, Book, Candles, Ticker, TradeList, documented
from backend.errors import ErrorCode, HdexError
from backend.marketdata import queries
from backend.marketdata.candle_store import stored_candles
from backend.marketdata.candles import INTERVALS_MS, Candle, bucket
from backend.marketdata.hub import BookView
from backend.trading.usecases.order_entry import market_by_name

router = APIRouter(prefix="/v1/markets", tags=["market data"])
_ERRORS: dict[int | str, dict[str, Any]] = {status: ERROR for status in (404, 422, 503)}
MAX_CANDLES = 1_500

Interval = Literal["1m", "5m", "15m", "1h", "4h", "1d"]
EpochMs = Annotated[int | None, Query(ge=0, le=2**53, description="epoch milliseconds")]


@router.get(
    "/{market}/book",
    response_model=None,
    responses={**documented(Book, "aggregated depth"), **_ERRORS},
)
async def book(
    market: str, host: HostDep, hub: HubDep, depth: Annotated[int, Query(ge=1, le=1000)] = 50
) -> dict[str, Any]:
    """Aggregated depth: up to `depth` (price, quantity) levels per side, best first. `seq` is the
    book channel's sequence number the levels correspond to (WebSocket deltas continue from it)."""
    market_by_name(host, market)
    # The hub's view, not the engine's book: the engine is ahead by the batch being stored, whose deltas (and seq)
    # are published only once it is durable, so its levels under the view's seq would not be the book at that seq
    return {"market": market, **hub.books.get(market, BookView()).snapshot(depth)}


@router.get(
    "/{market}/trades",
    response_model=None,
    responses={**documented(TradeList, "recent trades"), **_ERRORS},
)
async def trades(
    market: str,
    host: HostDep,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(pattern="^[0-9]{1,18}$")] = None,
) -> dict[str, Any]:
    """Recent trades, newest first; `next` is the cursor of the following page."""
    market_by_name(host, market)

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return queries.recent_trades(uow.session, market, limit, None if cursor is None else int(cursor))

    items = await asyncio.to_thread(read)
    return {"trades": items, "next": items[-1]["id"] if len(items) == limit else None}


@router.get(
    "/{market}/candles",
    response_model=None,
    responses={**documented(Candles, "OHLCV candles"), **_ERRORS},
)
async def candles(
    market: str,
    host: HostDep,
    container: ContainerDep,
    interval: Interval = "1m",
    start: EpochMs = None,
    end: EpochMs = None,
) -> dict[str, Any]:
    """OHLCV candles of the intervals [start, end) touches (epoch ms; default: the last 500 intervals), oldest
    first, each of all its interval's trades: `start` is taken down and `end` up to an interval's bound.
    Intervals without trades are absent."""
    market_by_name(host, market)
    size = INTERVALS_MS[interval]
    end_ms = end if end is not None else time.time_ns() // 1_000_000 + size
    start_ms = start if start is not None else end_ms - 500 * size
    # at most MAX_CANDLES intervals apart, so at most one more once widened to whole intervals below
    if start_ms >= end_ms or end_ms - start_ms > MAX_CANDLES * size:
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"start must be before end, at most {MAX_CANDLES} intervals apart", "start"
        )
    start_ms, end_ms = bucket(start_ms, size), bucket(end_ms + size - 1, size)  # whole intervals, rounded out

    def read() -> list[Candle]:
        with container.uow() as uow:
            return stored_candles(uow.session, market, interval, start_ms, end_ms)

    found = await asyncio.to_thread(read)
    return {"market": market, "interval": interval, "candles": [c.to_json(interval) for c in found]}


@router.get(
    "/{market}/ticker",
    response_model=None,
    responses={**documented(Ticker, "24h statistics"), **_ERRORS},
)
async def ticker(market: str, host: HostDep, hub: HubDep) -> dict[str, Any]:
    """24h statistics, best bid and ask."""
    market_by_name(host, market)
    return {"market": market, **hub.ticker(market)}
