"""The Python client for bots: load markets, sign and place, cancel, query, stream, deposit, withdraw.

`HdexClient` (sync, httpx) and `AsyncHdexClient` (asyncio, httpx + websockets) share the signing
and request building of `backend.client.core`; every API error is raised as `HdexClientError`
(with `RateLimitedError` for 429, `WaitTimeout` when a wait helper gives up). Amounts and prices
are ints in base units, as on the wire; `units()` and `price_units()` convert human decimals exactly.
"""

from backend.client.aio import AsyncHdexClient
from backend.client.core import ClientMarket, HdexClientError, RateLimitedError, WaitTimeout, price_units, units
from backend.client.sync import HdexClient

__all__ = [
    "AsyncHdexClient",
    "ClientMarket",
    "HdexClient",
    "HdexClientError",
    "RateLimitedError",
    "WaitTimeout",
    "price_units",
    "units",
]
