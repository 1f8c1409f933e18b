"""HDEX matching engine: a pure, deterministic core. Commands in, events out; no I/O inside.

    engine = Engine()                                   # or Engine(journal=FileJournal(path))
    events = engine.apply(AddMarket("ETH-USDC", tick_size=5, lot_size=10, min_notional=0))
    events = engine.apply(PlaceOrder("o1", "alice", "ETH-USDC", Side.BUY, OrderType.LIMIT, 1000, 30))
    engine.resting_orders("ETH-USDC", Side.BUY); engine.depth("ETH-USDC"); engine.state_hash()

Commands (`commands`): AddMarket, SetMarketState, PlaceOrder, CancelOrder, CancelAll, AmendOrder,
ExpireOrders, SetReferencePrice. Events (`events`): MarketAdded, MarketStateChanged, OrderAccepted, Rejected, Trade,
OrderCancelled, OrderTriggered, OrderExpired, OrderAmended, BookDelta. Reasons: `ResultCode`.
Durability: `Journal` protocol, `recover()`, snapshots; files in `backend.engine.adapters`.

The core runs compiled by mypyc when `make setup` could build it, else as pure Python (see
`backend.engine.native`; `HDEX_ENGINE_PURE=1` forces the pure core). Both behave identically;
`COMPILED` says which one this process runs.
"""

# ruff: noqa: E402 - the loader must choose the core before any submodule is imported
from __future__ import annotations

from backend.engine import native

native.use_compiled_core(__path__)  # before any submodule below is imported

from backend.engine import engine as _engine_module
from backend.engine.book import OrderBook
from backend.engine.codes import ResultCode
from backend.engine.commands import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    PlaceOrder,
    SetMarketState,
    SetReferencePrice,
)
from backend.engine.engine import Depth, Engine
from backend.engine.errors import (
    CommandFormatError,
    EngineError,
    JournalCorruptionError,
    JournalGapError,
    UnknownMarketError,
)
from backend.engine.events import (
    BookDelta,
    Event,
    MarketAdded,
    MarketStateChanged,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    Rejected,
    Trade,
)
from backend.engine.journal import Journal, JournalEntry
from backend.engine.market import MarketSpec
from backend.engine.matching import MAX_FOK_TRADES
from backend.engine.orders import Book, OrderView, StopView
from backend.engine.recovery import recover
from backend.engine.snapshot import EngineSnapshot, MarketSnapshot
from backend.engine.types import MarketState, OrderType, SelfTradePrevention, Side, TimeInForce

COMPILED = native.is_compiled(_engine_module.__file__)
"""True when the mypyc-compiled core runs, False for the pure-Python one."""

__all__ = [
    "COMPILED",
    "MAX_FOK_TRADES",
    "AddMarket",
    "AmendOrder",
    "Book",
    "BookDelta",
    "CancelAll",
    "CancelOrder",
    "Command",
    "CommandFormatError",
    "Depth",
    "Engine",
    "EngineError",
    "EngineSnapshot",
    "Event",
    "ExpireOrders",
    "Journal",
    "JournalCorruptionError",
    "JournalEntry",
    "JournalGapError",
    "MarketAdded",
    "MarketSnapshot",
    "MarketSpec",
    "MarketState",
    "MarketStateChanged",
    "OrderAccepted",
    "OrderAmended",
    "OrderBook",
    "OrderCancelled",
    "OrderExpired",
    "OrderTriggered",
    "OrderType",
    "OrderView",
    "PlaceOrder",
    "Rejected",
    "ResultCode",
    "SelfTradePrevention",
    "SetMarketState",
    "SetReferencePrice",
    "Side",
    "StopView",
    "TimeInForce",
    "Trade",
    "UnknownMarketError",
    "recover",
]
