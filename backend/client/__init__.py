"""The Python client for bots: load markets, sign and place, cancel, query, stream, deposit, withdraw.

`HdexClient` (sync, httpx) and `AsyncHdexClient` (asyncio, httpx + websockets) share the signing and request building
of `backend.client.core`; every failed request is raised as `HdexClientError` (`backend.client.errors`:
`RateLimitedError` for a rate limit's 429, `OrderOutcomeUnknown` when a signed order's fate is unknown after its
resends, `CancelOutcomeUnknown` likewise for a cancel, `ReplacePartlyFailed` for a replace whose cancel stands but
whose new order was refused, `OrdersKeptOpen` for a cancel of all markets a halted one partly kept,
`SubscriptionRefused` for a refused stream subscription, `StreamClosed` for a stream closed abnormally,
`TransactionOutcomeUnknown` for a deposit transaction sent but not answered for, `InsufficientFunds` for a deposit the
wallet cannot cover and `WrongChain` for one through a node of another chain (nothing sent either way), `WaitTimeout`
when a wait helper gives up, `InvalidArgument` for an argument that cannot be signed). Amounts and prices are ints in
base units, as on the wire; `units()` and `price_units()` convert human decimals exactly, or refuse (`NotExact`).
"""

from backend.client.aio import AsyncHdexClient
from backend.client.core import ClientMarket, price_units, units
from backend.client.errors import (
    CancelOutcomeUnknown,
    HdexClientError,
    InsufficientFunds,
    InvalidArgument,
    NotExact,
    OrderOutcomeUnknown,
    OrdersKeptOpen,
    RateLimitedError,
    ReplacePartlyFailed,
    StreamClosed,
    SubscriptionRefused,
    TransactionOutcomeUnknown,
    WaitTimeout,
    WrongChain,
)
from backend.client.sync import HdexClient

__all__ = [
    "AsyncHdexClient",
    "CancelOutcomeUnknown",
    "ClientMarket",
    "HdexClient",
    "HdexClientError",
    "InsufficientFunds",
    "InvalidArgument",
    "NotExact",
    "OrderOutcomeUnknown",
    "OrdersKeptOpen",
    "RateLimitedError",
    "ReplacePartlyFailed",
    "StreamClosed",
    "SubscriptionRefused",
    "TransactionOutcomeUnknown",
    "WaitTimeout",
    "WrongChain",
    "price_units",
    "units",
]
