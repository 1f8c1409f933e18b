"""Order entry use cases: place (one order, or a batch), cancel one, cancel all, cancel-replace, cancel-after.

A door parses the request, checks its signature (`check_*` here for cancels, `signature_checked` for an order,
which the host then takes as checked) and only then counts it against the maker's rate limit: a request the
wallet did not sign must not spend its limit, or anyone could keep a market maker's cancels refused. Then these
hand the change to the engine host's one door, and return once it is durable: nobody is told "done" before it
is on disk. An order is answered as placing it left it (its immediate fills): by the time its batch is durable, a
later batch may have filled it further, and that batch is not durable yet (it may fail and never have happened).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session

from backend.db.models import Order as OrderRow
from backend.errors import ErrorCode, HdexError
from backend.trading.hosting.commands import ArmCancelAfter, BulkCancel, CancelOrder, PlaceOrder, ReplaceOrder
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.restore import tracked_from_row
from backend.trading.rules.accounts import checksum
from backend.trading.rules.cancels import (
    BulkCancelRequest,
    CancelAfterRequest,
    ReplacePartlyFailed,
    ReplaceRequest,
    bulk_cancel_scope,
    cancel_after_scope,
    verify_cancel,
)
from backend.trading.rules.checks import verify_order_signature
from backend.trading.rules.markets import Market
from backend.trading.rules.orders import OrderRequest, TrackedOrder, parse_order_request
from backend.trading.views.publish import order_message


def signature_checked(host: EngineHost, request: OrderRequest) -> OrderRequest:
    """The order request with its signature checked (SIGNER_NOT_MAKER and the like otherwise), marked so for the
    host, which would recover it again."""
    verify_order_signature(host.domain, request)
    return dataclasses.replace(request, signature_checked=True)


async def place(host: EngineHost, request: OrderRequest) -> dict[str, Any]:
    """Check, hold and match a signed order; returns its answer (the order as placing left it) once stored."""
    placed = order_message(host.handle(PlaceOrder(request)))
    await host.durable()
    return placed


async def place_batch(
    host: EngineHost, items: list[Any], count: Callable[[str], Awaitable[None]]
) -> list[dict[str, Any] | HdexError]:
    """Place a batch's orders (`batch_items`) in their order, each on its own: its answer (as `place`), or its
    refusal, which refuses no other; returns once all are stored (one wait for the whole batch). `count` counts a
    signed order against its maker's rate limit (raising RATE_LIMITED), as the single order's door does."""
    outcomes: list[dict[str, Any] | HdexError] = []
    for item in items:
        try:
            request = signature_checked(host, parse_order_request(item))
            await count(request.order.maker)
            outcomes.append(order_message(host.handle(PlaceOrder(request))))
        except HdexError as refusal:
            outcomes.append(refusal)
    await host.durable()
    return outcomes


def open_order(host: EngineHost, order_hash: str, stored: Callable[[str], bool], field: str) -> TrackedOrder:
    """The live order `order_hash`, else ORDER_NOT_OPEN (the host knows it, or `stored`: an order with this hash
    was kept) or ORDER_NOT_FOUND. The host is asked first: an order closed in a batch not yet durable is in
    neither the book nor the database yet."""
    tracked = host.orders.get(order_hash)
    if tracked is not None:
        return tracked
    if not (host.knows(order_hash) or stored(order_hash)):
        raise HdexError(ErrorCode.ORDER_NOT_FOUND, "no order with this hash", "orderHash")
    raise HdexError(ErrorCode.ORDER_NOT_OPEN, "the order is no longer open", field)


def check_cancel(host: EngineHost, tracked: TrackedOrder, signature: bytes) -> None:
    """Raise unless `signature` is the order's maker's over Cancel(maker, orderHash)."""
    verify_cancel(host.domain, tracked.maker, bytes.fromhex(tracked.hash[2:]), signature)


def apply_cancel(host: EngineHost, tracked: TrackedOrder) -> None:
    """Cancel one open order, its cancel checked (`check_cancel`); stored with the host's next batch (the command
    stream answers a whole batch once it is durable)."""
    host.handle(CancelOrder(tracked))


async def cancel(host: EngineHost, tracked: TrackedOrder) -> None:
    """`apply_cancel`, returning once it is stored."""
    apply_cancel(host, tracked)
    await host.durable()


def market_by_name(host: EngineHost, name: str) -> Market:
    """The market `name`, else UNKNOWN_MARKET."""
    market = host.markets.get(name)
    if market is None:
        raise HdexError(ErrorCode.UNKNOWN_MARKET, f"no market {name}", "market")
    return market


def market_or_all(host: EngineHost, name: str | None) -> str | None:
    """A request's `market`: a known market's name, or None for every market."""
    return None if name is None else market_by_name(host, name).name


def check_cancel_all(host: EngineHost, request: BulkCancelRequest) -> None:
    """Raise unless the request's market is known (or all) and its signature the maker's."""
    market = market_or_all(host, request.market)
    verify_cancel(host.domain, request.maker, bulk_cancel_scope(market, request.timestamp_ms), request.signature)


def apply_cancel_all(host: EngineHost, request: BulkCancelRequest) -> dict[str, list[str]]:
    """Cancel every open order of the request's maker (in its market, or everywhere), the request checked
    (`check_cancel_all`); the answer: `cancelled`, their hashes, and `kept`, those a halted market kept open. Stored
    with the host's next batch, as `apply_cancel`."""
    market = market_or_all(host, request.market)
    done = host.handle(BulkCancel(checksum(request.maker), market, request.timestamp_ms))
    return {"cancelled": done.cancelled, "kept": done.kept}


async def cancel_all(host: EngineHost, request: BulkCancelRequest) -> dict[str, list[str]]:
    """`apply_cancel_all`, returning once it is stored."""
    answer = apply_cancel_all(host, request)
    await host.durable()
    return answer


def order_to_replace(host: EngineHost, replace: ReplaceRequest, stored: Callable[[str], bool]) -> TrackedOrder:
    """The open order a cancel-replace cancels (see `open_order`), of the new order's maker."""
    old = open_order(host, replace.order_hash, stored, "cancel.orderHash")
    if replace.order.order.maker != old.maker.lower():
        raise HdexError(ErrorCode.INVALID_FIELD, "must be the maker of the order it replaces", "order.maker")
    return old


def apply_replace(host: EngineHost, old: TrackedOrder, replace: ReplaceRequest) -> TrackedOrder:
    """Cancel `old` and place the request's order of the same maker in one step; returns the new order, stored
    with the host's next batch (as `apply_cancel`). `ReplacePartlyFailed`: the cancel stands, the order was
    refused."""
    cancel_signature = replace.cancel_signature
    verify_cancel(host.domain, old.maker, bytes.fromhex(old.hash[2:]), cancel_signature, "cancel.signature")
    return host.handle(ReplaceOrder(old, replace.order))


async def replace(host: EngineHost, old: TrackedOrder, replace: ReplaceRequest) -> dict[str, Any]:
    """`apply_replace`, returning its answer (`replace_answer`, as placing left the new order) or raising
    `ReplacePartlyFailed`, once it is stored."""
    try:
        replaced = replace_answer(old, apply_replace(host, old, replace))
    except ReplacePartlyFailed:
        await host.durable()
        raise
    await host.durable()
    return replaced


def replace_answer(old: TrackedOrder, tracked: TrackedOrder) -> dict[str, Any]:
    """What a cancel-replace answers (201): the old order, cancelled, and the new one."""
    return {"cancelled": order_message(old), "order": order_message(tracked)}


def partly_replaced_answer(refusal: ReplacePartlyFailed) -> dict[str, Any]:
    """What a cancel-replace whose new order was refused answers (409): the error, the old order (cancelled)
    and why the new one was not placed."""
    return partly_replaced_body(refusal, order_message(refusal.cancelled), refusal.refused)


def partly_replaced_body(error: HdexError, cancelled: dict[str, Any], refused: HdexError | None) -> dict[str, Any]:
    """The 409 body of a cancel-replace whose cancel stands: `error` (REPLACE_PARTLY_FAILED), the old order's view
    and the new order's refusal (null when it is not known: a request the engine delivered again)."""
    return {**error.body(), "cancelled": cancelled, "refused": None if refused is None else refused.body()["error"]}


def check_cancel_after(host: EngineHost, request: CancelAfterRequest) -> None:
    """Raise unless the request's market is known (or all) and its signature the maker's."""
    market = market_or_all(host, request.market)
    scope = cancel_after_scope(market, request.timeout_ms, request.timestamp_ms)
    verify_cancel(host.domain, request.maker, scope, request.signature)


def apply_cancel_after(host: EngineHost, request: CancelAfterRequest) -> dict[str, Any]:
    """Arm, refresh or (timeout 0) turn off the maker's cancel-after, the request checked (`check_cancel_after`);
    returns what the request answers (its `deadline` in ms since the epoch, null when off). Stored with the
    host's next batch, as `apply_cancel`."""
    market = market_or_all(host, request.market)
    maker = checksum(request.maker)
    deadline = host.handle(ArmCancelAfter(maker, market, request.timeout_ms, request.timestamp_ms))
    return {"maker": maker, "market": market, "timeoutMs": request.timeout_ms, "deadline": deadline or None}


async def arm_cancel_after(host: EngineHost, request: CancelAfterRequest) -> dict[str, Any]:
    """`apply_cancel_after`, returning once it is stored."""
    answer = apply_cancel_after(host, request)
    await host.durable()
    return answer


def order_view(session: Session, host: EngineHost, order_hash: str) -> dict[str, Any] | None:
    """An order's public view, open (the host's) or not (its row); None when no order has this hash."""
    tracked = host.orders.get(order_hash)
    if tracked is not None:
        return order_message(tracked)
    row = session.get(OrderRow, order_hash)
    market = host.markets.get(row.market) if row is not None else None
    if row is None or market is None:
        return None
    return order_message(tracked_from_row(row, market))
