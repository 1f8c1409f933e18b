"""`GET /v1/markets`: every market with its tokens, grid, fees, state, price source for stop orders, risk settings
and current risk halt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import TradingDep
from backend.api.schemas import MarketList, documented
from backend.bootstrap import Container
from backend.engine import MarketState
from backend.trading.hosting.service import TradingService
from backend.trading.rules.markets import PRICE_SCALE, Market, PriceSource
from backend.trading.rules.risk import Halt, RiskSettings
from backend.trading.store.markets import load_markets
from backend.trading.store.risk import active_halts, load_risk_settings, risk_defaults
from backend.trading.views.publish import halt_json

router = APIRouter(prefix="/v1", tags=["markets"])


def _amount(value: int | None) -> str | None:
    return None if value is None else str(value)


def risk_json(settings: RiskSettings, reference: int | None) -> dict[str, Any]:
    """A market's risk settings (defaults filled in) and its reference price now (amounts as decimal strings)."""
    return {
        "bandBps": settings.band_bps,
        "breakerBps": settings.breaker_bps,
        "alertBps": settings.alert_bps,
        "windowS": settings.window_s,
        "cooldownS": settings.cooldown_s,
        "feedAlertBps": settings.feed_alert_bps,
        "feedHaltBps": settings.feed_halt_bps,
        "maxOrderBase": _amount(settings.max_order_base),
        "maxOrderNotional": _amount(settings.max_order_notional),
        "maxOpenNotional": _amount(settings.max_open_notional),
        "reference": _amount(reference),
    }


def market_json(
    market: Market,
    price_source: PriceSource | None = None,
    *,
    risk: RiskSettings,
    halt: Halt | None = None,
    reference: int | None = None,
    source_price: int | None = None,
) -> dict[str, Any]:
    """The public view of a market (amounts as decimal strings); an open market reads cancel_only while halted.
    `reference` is the risk checks' reference price, `source_price` the price source's last read (stops fire on it)."""
    state = market.state
    if halt is not None and state is MarketState.OPEN:
        state = MarketState.CANCEL_ONLY
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
        "state": state.value,
        "priceSource": None
        if price_source is None
        else {
            "feed": price_source.feed,
            "maxAge": str(price_source.max_age),
            "price": None if source_price is None else str(source_price),
        },
        "halt": halt_json(halt),
        "risk": risk_json(risk, reference),
    }


def price_sources_of(trading: TradingService) -> Mapping[str, PriceSource | None]:
    """The price sources the engine host read from the chain (none without an Exchange deployment)."""
    host = trading.host
    return {} if host is None else host.price_sources


def reference_of(trading: TradingService, market: str) -> int | None:
    """The market's reference price in the engine host (call on the host's loop; None without a host)."""
    host = trading.host
    return None if host is None or market not in host.markets else host.risk.reference(market)


def source_price_of(trading: TradingService, market: str) -> int | None:
    """The price the engine last read from the market's price source, rounded down to a price unit (call on the
    host's loop; None without a host, before a reading, or while the feed is unusable)."""
    host = trading.host
    if host is None or market not in host.markets:
        return None
    price = host.engine.reference_price(market)
    return None if price is None else price[0]


def _read_markets(container: Container, now_ms: int) -> tuple[list[Market], dict[str, RiskSettings], dict[str, Halt]]:
    with container.uow() as uow:
        session = uow.session
        return load_markets(session), load_risk_settings(session, container.settings), active_halts(session, now_ms)


async def markets_json(
    container: Container, trading: TradingService, names: set[str] | None = None
) -> list[dict[str, Any]]:
    """The public view of every market (or those named), as `GET /v1/markets` shows them (call on the host's
    loop). A halt shows until it ends by the host's clock, or staff clear it."""
    now = time.time_ns() // 1_000_000 if trading.host is None else trading.host.clock()
    markets, risk, halts = await asyncio.to_thread(_read_markets, container, now)
    sources, defaults = price_sources_of(trading), risk_defaults(container.settings)
    views = []
    for m in markets:
        if names is None or m.name in names:
            own = risk.get(m.name, defaults)
            reference, source_price = reference_of(trading, m.name), source_price_of(trading, m.name)
            views.append(
                market_json(
                    m, sources.get(m.name), risk=own, halt=halts.get(m.name), reference=reference,
                    source_price=source_price,
                )
            )  # fmt: skip
    return views


@router.get("/markets", response_model=None, responses=documented(MarketList, "every market"))
async def list_markets(container: ContainerDep, trading: TradingDep) -> dict[str, list[dict[str, Any]]]:
    """Markets. Prices are quote base units per `priceScale` base base-units (see GET /v1/eip712).
    `priceSource` is the market's on-chain price source for stop orders (null: none, or not read yet): without
    one, a stop order must sign flags bit 4 (16) to accept operator-triggered execution; its `price` is the
    reference price last read from it, which fires the stops that do not sign it. `risk` holds the
    market's price band, circuit breaker and order limits and its reference price now; `halt` is the risk halt
    in force (null: none), during which the market reads `cancel_only`: cancels only, until `halt.until`."""
    return {"markets": await markets_json(container, trading)}
