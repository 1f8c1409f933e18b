"""`GET /v1/markets`: every market with its tokens, grid, fees and state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.api.deps import ContainerDep
from backend.api.schemas import MarketList, documented
from backend.trading.rules.markets import PRICE_SCALE, Market
from backend.trading.store.markets import load_markets

router = APIRouter(prefix="/v1", tags=["markets"])


def market_json(market: Market) -> dict[str, Any]:
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
    }


@router.get("/markets", response_model=None, responses=documented(MarketList, "every market"))
def list_markets(container: ContainerDep) -> dict[str, list[dict[str, Any]]]:
    """Markets. Prices are quote base units per `priceScale` base base-units (see GET /v1/eip712)."""
    with container.uow() as uow:
        return {"markets": [market_json(m) for m in load_markets(uow.session)]}
