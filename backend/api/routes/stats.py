"""Public statistics (issue 16): daily volume and markets, and the dApp's first-party behaviour events.

`GET /v1/stats/markets` and `GET /v1/stats/volume` read the daily rollups (`backend.stats`) for a range of UTC
days (`from`, `to`: `YYYY-MM-DD`, at most 731 days; default the last 30 days), 422 STATS_RANGE_INVALID
otherwise. `POST /v1/stats/events` records that a wallet connected in the dApp: pseudonymous (the wallet, the
kind, the time; no IP, no device), one per wallet, kind and day, rate-limited per client IP.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import ContainerDep, limited
from backend.api.schemas import ERROR, Address, Amount, Input, documented
from backend.stats.days import DayRange, day_of, parse_range
from backend.stats.queries import markets, volume
from backend.stats.service import record_event

router = APIRouter(prefix="/v1/stats", tags=["statistics"])

Day = Annotated[str, Field(description="a UTC day, YYYY-MM-DD")]
From = Annotated[str | None, Query(alias="from", description="first UTC day, YYYY-MM-DD (default: 29 days before to)")]
To = Annotated[str | None, Query(alias="to", description="last UTC day, YYYY-MM-DD (default: today)")]
RANGE_ERRORS: dict[int | str, dict[str, Any]] = {422: ERROR}


class MarketDayOut(BaseModel):
    day: Day
    market: str
    base: str = Field(description="the base token's symbol")
    quote: str = Field(description="the quote token's symbol")
    baseDecimals: int
    quoteDecimals: int
    trades: int = Field(description="fills that did not fail settlement")
    traders: int = Field(description="distinct wallets, maker or taker")
    baseVolume: Amount
    quoteVolume: Amount
    takerBuyBase: Amount = Field(description="base bought by takers")
    takerSellBase: Amount = Field(description="base sold by takers")
    makerFeeBase: Amount = Field(description="fees paid by buying makers, in base")
    makerFeeQuote: Amount = Field(description="fees paid by selling makers, in quote")
    takerFeeBase: Amount
    takerFeeQuote: Amount


class MarketDays(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"from": "2026-12-01", "to": "2026-12-02", "days": []}})

    from_: Day = Field(alias="from")
    to: Day
    days: list[MarketDayOut]


class VolumeDayOut(BaseModel):
    day: Day
    quoteToken: Address
    quote: str = Field(description="the quote token's symbol")
    quoteDecimals: int
    trades: int
    quoteVolume: Amount = Field(description="summed over the markets quoted in this token")


class VolumeDays(BaseModel):
    from_: Day = Field(alias="from")
    to: Day
    days: list[VolumeDayOut]


class EventIn(Input):
    event: Literal["wallet_connected"] = Field(description="the kinds HDEX records")
    wallet: Address = Field(description="the wallet's 0x-address (any letter case)")


class EventOut(BaseModel):
    recorded: bool = Field(description="false: this wallet's event of the kind was already recorded today")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _range(first: str | None, last: str | None) -> DayRange:
    return parse_range(first, last, day_of(_now_ms()))


@router.get("/markets", responses={**documented(MarketDays, "per market per day"), **RANGE_ERRORS})
async def market_days(container: ContainerDep, first: From = None, last: To = None) -> dict[str, Any]:
    """Per market per UTC day: trades, distinct traders, volume in base and quote, the taker buy/sell split and
    the fees (in the token each payer received). Days without trades are absent."""
    days = _range(first, last)

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return markets(uow.session, days)

    return {"from": days.first, "to": days.last, "days": await asyncio.to_thread(read)}


@router.get("/volume", responses={**documented(VolumeDays, "per day and quote token"), **RANGE_ERRORS})
async def volume_days(container: ContainerDep, first: From = None, last: To = None) -> dict[str, Any]:
    """Per UTC day and quote token: trades and volume summed over the markets quoted in it."""
    days = _range(first, last)

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return volume(uow.session, days)

    return {"from": days.first, "to": days.last, "days": await asyncio.to_thread(read)}


@router.post(
    "/events",
    dependencies=[limited("stats_events")],
    responses={**documented(EventOut, "kept or already kept today"), 422: ERROR, 429: ERROR},
)
async def event(body: EventIn, container: ContainerDep) -> dict[str, bool]:
    """A first-party behaviour event from the dApp (`wallet_connected`), for the funnel connected -> signed in ->
    deposited -> traded. Keeps the wallet, the kind and the time only; HDEX_RATE_LIMIT_STATS_EVENTS per IP."""
    recorded = await asyncio.to_thread(record_event, container, body.event, body.wallet, _now_ms())
    return {"recorded": recorded}
