"""`GET /v1/markets`: every market with its tokens, grid, fees, state and price source for stop orders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import TradingDep
from backend.api.schemas import MarketList, documented
from backend.trading.hosting.service import TradingService
from backend.trading.rules.markets import PRICE_SCALE, Market, PriceSource
from backend.trading.store.markets import load_markets

router = APIRouter(prefix="/v1", tags=["markets"])


def market_json(market: Market, price_source: PriceSource | None = None) -> dict[str, Any]:
    """The public view of a market (amounts as decimal strings)."""
    return {
        "name": market.name,
        "baseToken": {"address": market.base_token, "symbol": market.base_symbol, "decimals": market.base_decimals},
        "quoteToken": {
            "address": market.quote_token,
            "symbol": market.quote_symbol,
            "decimals": market.quote_decimals,
        },
        "priceScale": str(PRICE_SCALE),
        "tickSize": str(market.tick_size),
        "lotSize": str(market.lot_size),
        "minNotional": str(market.min_notional),
        "makerFeeRate": market.maker_fee_rate,
        "takerFeeRate": market.taker_fee_rate,
        "feeRateScale": 1_000_000,
        "state": market.state.value,
        "priceSource": None
        if price_source is None
        else {"feed": price_source.feed, "maxAge": str(price_source.max_age)},
    }


def price_sources_of(trading: TradingService) -> Mapping[str, PriceSource | None]:
    """The price sources the engine host read from the chain (none without an Exchange deployment)."""
    host = trading.host
    return {} if host is None else host.price_sources


@router.get("/markets", response_model=None, responses=documented(MarketList, "every market"))
def list_markets(container: ContainerDep, trading: TradingDep) -> dict[str, list[dict[str, Any]]]:
    """Markets. Prices are quote base units per `priceScale` base base-units (see GET /v1/eip712).
    `priceSource` is the market's on-chain price source for stop orders (null: none, or not read yet): without
    one, a stop order must sign flags bit 4 (16) to accept operator-triggered execution."""
    sources = price_sources_of(trading)
    with container.uow() as uow:
        return {"markets": [market_json(m, sources.get(m.name)) for m in load_markets(uow.session)]}
