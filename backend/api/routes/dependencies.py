"""Dependencies of the trading and market-data routes, as `Annotated` aliases."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Path, Request

from backend.api.ratelimit import RateLimiter
from backend.errors import ErrorCode, HdexError
from backend.marketdata.hub import MarketDataHub
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.service import TradingService


async def get_trading(request: Request) -> TradingService:
    service: TradingService = request.app.state.trading
    return service


async def get_host(request: Request) -> EngineHost:
    """The engine host (`TradingService.running_host`: 503 while this process stands by, NOT_DEPLOYED while no
    Exchange is recorded for the chain)."""
    service: TradingService = request.app.state.trading
    return service.running_host()


async def get_hub(request: Request) -> MarketDataHub:
    hub: MarketDataHub = request.app.state.hub
    return hub


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


TradingDep = Annotated[TradingService, Depends(get_trading)]
# Path ids: a malformed one is 422 INVALID_FIELD whose field is the path parameter's name (its alias
# here, the name OpenAPI shows); 404 is only for a well-formed id that does not exist.
OrderHashPath = Annotated[str, Path(alias="orderHash", description="the order's EIP-712 hash: 0x and 64 hex digits")]
WithdrawalHashPath = Annotated[
    str, Path(alias="withdrawalHash", description="the withdrawal's EIP-712 hash: 0x and 64 hex digits")
]
ClientOrderIdPath = Annotated[str, Path(alias="clientOrderId", description="the maker's own id of an order")]
HostDep = Annotated[EngineHost, Depends(get_host)]
HubDep = Annotated[MarketDataHub, Depends(get_hub)]
LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]


async def json_body(request: Request, expected: str = "a JSON object") -> Any:
    """The request body as JSON; an empty body is INVALID_FIELD and anything else unparsable
    MALFORMED_JSON, each message naming the `expected` body."""
    raw = await request.body()
    if not raw.strip():
        raise HdexError(ErrorCode.INVALID_FIELD, f"the body is required: send {expected}")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise HdexError(ErrorCode.MALFORMED_JSON, f"the body is not valid JSON: send {expected}") from None

