"""Snapshots of the whole engine state, their plain JSON form, and the state hash.

A snapshot lists every market's resting orders per side in priority order and its waiting stops in
acceptance order, plus every counter that shapes future events (sequence numbers, priorities, the
last trade price, the reference price). Two engines with equal snapshots behave identically from
then on, whatever book implementation they use; the state hash is the SHA-256 of the canonical
JSON of the snapshot. Snapshots written before reference prices existed (no `reference`, stop rows
without `on_reference`) read as having none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from backend.engine.errors import CommandFormatError
from backend.engine.market import MarketSpec
from backend.engine.orders import OrderView, StopView
from backend.engine.types import MarketState, OrderType, SelfTradePrevention, Side


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """One market: grid, state, counters, resting orders best-first per side, waiting stops."""

    spec: MarketSpec
    state: MarketState
    last_price: int | None
    seq: int
    next_priority: int
    bids: tuple[OrderView, ...]
    asks: tuple[OrderView, ...]
    stops: tuple[StopView, ...]
    reference: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """The engine after command number `command_seq`; markets in the order they were added."""

    command_seq: int
    markets: tuple[MarketSnapshot, ...]


def snapshot_to_plain(snapshot: EngineSnapshot) -> dict[str, Any]:
    """A JSON-ready form of the snapshot (orders as positional lists, enums as their values)."""
    return {
        "command_seq": snapshot.command_seq,
        "markets": [
            {
                "spec": [m.spec.market, m.spec.tick_size, m.spec.lot_size, m.spec.min_notional],
                "state": m.state.value,
                "last_price": m.last_price,
                "reference": None if m.reference is None else list(m.reference),
                "seq": m.seq,
                "next_priority": m.next_priority,
                "bids": [_plain(order) for order in m.bids],
                "asks": [_plain(order) for order in m.asks],
                "stops": [_plain(stop) for stop in m.stops],
            }
            for m in snapshot.markets
        ],
    }


def snapshot_from_plain(plain: dict[str, Any]) -> EngineSnapshot:
    """Inverse of `snapshot_to_plain`; raises `CommandFormatError` on a malformed document."""
    try:
        markets = tuple(
            MarketSnapshot(
                spec=MarketSpec(*m["spec"]),
                state=MarketState(m["state"]),
                last_price=m["last_price"],
                reference=_reference(m.get("reference")),
                seq=m["seq"],
                next_priority=m["next_priority"],
                bids=tuple(_order_view(row) for row in m["bids"]),
                asks=tuple(_order_view(row) for row in m["asks"]),
                stops=tuple(_stop_view(row) for row in m["stops"]),
            )
            for m in plain["markets"]
        )
        return EngineSnapshot(command_seq=plain["command_seq"], markets=markets)
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandFormatError(f"malformed snapshot: {exc!r}") from exc


def state_hash(snapshot: EngineSnapshot) -> str:
    """Hex SHA-256 of the snapshot's canonical JSON: equal hashes mean equal engine states."""
    canonical = json.dumps(snapshot_to_plain(snapshot), separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(view: OrderView | StopView) -> list[Any]:
    # StrEnum members are str subclasses; json writes them as their values
    return list(view)


def _order_view(row: list[Any]) -> OrderView:
    order_id, account, market, side, price, remaining, stp, expires_at, priority = row
    return OrderView(
        order_id,
        account,
        market,
        Side(side),
        price,
        remaining,
        SelfTradePrevention(stp),
        expires_at,
        priority,
    )


def _reference(plain: list[int] | None) -> tuple[int, int] | None:
    if plain is None:
        return None
    at_least, at_most = plain
    return (at_least, at_most)


def _stop_view(row: list[Any]) -> StopView:
    order_id, account, market, side, order_type, price, stop_price, remaining, stp, expires_at, priority, *rest = row
    if len(rest) > 1:
        raise ValueError(f"a stop row has {len(row)} fields")
    return StopView(
        order_id,
        account,
        market,
        Side(side),
        OrderType(order_type),
        price,
        stop_price,
        remaining,
        SelfTradePrevention(stp),
        expires_at,
        priority,
        bool(rest[0]) if rest else False,
    )
