"""The changes the engine host accepts: its one door (`EngineHost.handle`).

Each change is a frozen dataclass handled on the host's own event loop, one at a time, so no check
interleaves with another change: an order's balance check and hold, a withdrawal's, a chain sync's
new balances each see the state the previous one left. Callers on another thread hand a command to
the loop (`asyncio.run_coroutine_threadsafe`, an anyio portal); they never touch the host's state.
`HostCommand[R]` says what handling the command returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from backend.alerts.store import PendingAlert
from backend.engine import Command, Event
from backend.statuses import OrderStatus
from backend.trading.hosting.chain_sync import Hold, SyncRead
from backend.trading.rules.cancel_after import Deadline
from backend.trading.rules.markets import Market, PriceSource
from backend.trading.rules.orders import OrderRequest, TrackedOrder
from backend.trading.rules.risk import Halt

R = TypeVar("R")


class HostCommand(Generic[R]):
    """A change to the engine host whose handling returns an `R`."""

    __slots__ = ()


# orders (the API's doors)


@dataclass(frozen=True, slots=True)
class PlaceOrder(HostCommand[TrackedOrder]):
    """Check, hold, match; await `EngineHost.durable()` before telling anyone it is accepted."""

    request: OrderRequest


@dataclass(frozen=True, slots=True)
class ReplaceOrder(HostCommand[TrackedOrder]):
    """Cancel `old` and place `request` in one step (signature and maker checked by the caller)."""

    old: TrackedOrder
    request: OrderRequest


@dataclass(frozen=True, slots=True)
class CancelOrder(HostCommand[None]):
    """Cancel one live order (signature checked by the caller); `reason` overrides the engine's."""

    order: TrackedOrder
    reason: str | None = None


class BulkCancelled(NamedTuple):
    cancelled: list[str]  # the hashes of the orders cancelled
    # the maker's orders a halted market kept open (it refuses every command, cancels too): a cancel of every
    # market cancels the others rather than none, and says which stayed
    kept: list[str]


@dataclass(frozen=True, slots=True)
class BulkCancel(HostCommand[BulkCancelled]):
    """A signed cancel-all of `maker` (in `market`, or everywhere): its timestamp must be above the
    wallet's previous one."""

    maker: str
    market: str | None
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class ArmCancelAfter(HostCommand[int]):
    """Arm, refresh or (timeout 0) turn off a wallet's cancel-after; returns the deadline (0: off)."""

    wallet: str
    market: str | None
    timeout_ms: int
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class FireCancelAfter(HostCommand[None]):
    """Cancel the open orders of every passed cancel-after deadline (also the timer's own job)."""


# withdrawals (backend.trading.usecases.withdrawals)


@dataclass(frozen=True, slots=True)
class BeginBalanceRead(HostCommand[int]):
    """Stamp a database read of balances about to start (see `AccountBook.apply_read`)."""


@dataclass(frozen=True, slots=True)
class HoldWithdrawal(HostCommand[None]):
    """Take in the wallet's `balances` read under `read_stamp`, then hold `amount` of `token` for the
    withdrawal `request_hash` if that much is available, else INSUFFICIENT_BALANCE."""

    request_hash: str
    wallet: str
    token: str
    amount: int
    read_stamp: int
    balances: dict[str, int]


@dataclass(frozen=True, slots=True)
class WithdrawalStored(HostCommand[None]):
    """The request's row is committed (or its fate is the database's): the hold ends with the first
    balance read that starts after this, which counts the request itself."""

    request_hash: str


@dataclass(frozen=True, slots=True)
class ReleaseWithdrawal(HostCommand[None]):
    """The request was not stored: give its hold back."""

    request_hash: str


# following the database (backend.trading.hosting.service) and start-up (backend.trading.hosting.restore)


@dataclass(frozen=True, slots=True)
class ApplySync(HostCommand[None]):
    """Apply one read of the database (`read_sync`) begun under `read_stamp`; `event_cursor` is the
    chain event id the read's events end at, persisted with the next batch."""

    read_stamp: int
    read: SyncRead
    event_cursor: int


@dataclass(frozen=True, slots=True)
class Tick(HostCommand[None]):
    """The periodic round: due cancel-after deadlines, order expiry, forgetting expired hashes."""

    now_ms: int


@dataclass(frozen=True, slots=True)
class SetMarket(HostCommand[None]):
    """Register or update a market: open its book if new, align its state; `risk` is its `market_risk` row's
    columns (None: the exchange-wide defaults)."""

    market: Market
    ts: int
    risk: Mapping[str, Any] | None = None


# market risk (backend.trading.rules.risk): halts from outside the host (feed monitor, staff, start-up)


@dataclass(frozen=True, slots=True)
class HaltMarket(HostCommand[Halt]):
    """Halt `halt.market` (cancels only) until `halt.until_ms`, or lengthen its current halt; returns the halt in
    force. `alert`, if any, is stored in the same batch as the halt. UNKNOWN_MARKET for a market the host does
    not trade."""

    halt: Halt
    alert: PendingAlert | None = None


@dataclass(frozen=True, slots=True)
class ClearHalt(HostCommand[bool]):
    """End the market's risk halt now, audit-logged as `actor` from `ip`; False when it was not halted."""

    market: str
    actor: str
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class SetPriceSources(HostCommand[None]):
    """The on-chain price sources read for these markets (name -> source, None: none); markets not named keep
    what was last read."""

    sources: Mapping[str, PriceSource | None]


@dataclass(frozen=True, slots=True)
class SetReferencePrices(HostCommand[bool]):
    """The reference prices read for these markets' stop orders (name -> (at least, at most), None: unknown now, the
    source stale or failing; see `backend.chain.price_sources.read_reference_price`): the engine fires the stops
    they reached. True when the engine took any (a change, or a price taken in while its market was not open, now
    that it is)."""

    prices: Mapping[str, tuple[int, int] | None]


@dataclass(frozen=True, slots=True)
class ResumeBookSeqs(HostCommand[None]):
    """At start, before the book moves: number every market's deltas from above `floor` (the stored
    BOOK_SEQ), so a client never sees a book's `seq` go back."""

    floor: int


@dataclass(frozen=True, slots=True)
class RunEngine(HostCommand[list[Event]]):
    """Run one engine command and fold its events in (start-up reconciliation)."""

    command: Command


@dataclass(frozen=True, slots=True)
class AdoptOpenOrders(HostCommand[None]):
    """At start: track the database's open orders and hold what they and unreleased fills hold, with the balances
    of every wallet holding (read in the same transaction): the sync follows only the wallets whose balances the
    host has, and a hold of a wallet it does not follow would end only once that wallet acted."""

    orders: tuple[TrackedOrder, ...]
    fill_holds: tuple[Hold, ...]
    balances: dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class CloseOrder(HostCommand[None]):
    """Take a tracked order out (release its hold, record why): an order start-up cannot restore."""

    order_hash: str
    status: OrderStatus
    reason: str | None
    ts: int


@dataclass(frozen=True, slots=True)
class Resume(HostCommand[None]):
    """At start: the counters and memories the database holds, and all holds to be rewritten."""

    known_hashes: dict[str, int]
    next_order_seq: int
    next_fill_id: int
    nonce_floors: dict[str, int]
    deadlines: tuple[Deadline, ...]
    exiting: frozenset[str]
    bulk_cancel_stamps: dict[str, int]  # wallet -> last bulk cancel's timestamp, those a replay could still pass
    frozen: frozenset[str]  # the deny list (lower case)
    cancelled_on_chain: frozenset[str]  # order hashes their makers cancelled on the Exchange (lower case)
    spent_nonces: frozenset[tuple[str, int]]  # (maker, nonce) of those cancels: an untraded order with it is out
    ruled_out: dict[str, str]  # order hash -> reason: orders a final skip ruled out for good (`RULED_OUT_BY_SKIP`)


@dataclass(frozen=True, slots=True)
class MarkCursor(HostCommand[None]):
    """Persist a named cursor with the next batch."""

    name: str
    value: int


@dataclass(frozen=True, slots=True)
class StopOrderEntry(HostCommand[None]):
    """Take no more orders, cancels or withdrawals: `error` says why (this process lost the engine lease)."""

    error: BaseException
