"""Orders: place (`POST /v1/orders`, or up to 20 at once: `POST /v1/orders/batch`), look up, cancel one (`DELETE`)
or many (`POST /v1/orders/cancel`),
cancel-replace (`POST /v1/orders/replace`), cancel-after (`POST /v1/orders/cancel-after`), and the nonce
for a wallet's next order (`GET /v1/nonce`).

Bodies are parsed by hand (`backend.trading.rules.orders`) rather than by a pydantic model: this is the
hot path, and the strict parser gives each bad field its own error code. The schemas below
document the same shapes for OpenAPI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.api.deps import ContainerDep
from backend.api.errors import HTTP_STATUS, error_response
from backend.api.routes.dependencies import (
    HostDep,
    LimiterDep,
    OrderHashPath,
    get_host,
    json_body,
)
from backend.api.schemas import (
    ERROR,
    BatchResult,
    CancelAfterResult,
    CancelAllResult,
    NextNonce,
    OrderView,
    ReplaceResult,
    documented,
)
from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError
from backend.settings import Settings
from backend.trading.hosting.host import EngineHost
from backend.trading.rules.accounts import checksum
from backend.trading.rules.cancels import (
    CANCEL_BODY,
    ReplacePartlyFailed,
    parse_bulk_cancel_request,
    parse_cancel_after_request,
    parse_cancel_request,
    parse_replace_request,
)
from backend.trading.rules.orders import (
    MAX_BATCH_ORDERS,
    TrackedOrder,
    batch_items,
    parse_address,
    parse_hash,
    parse_order_request,
)
from backend.trading.usecases import order_entry
from backend.trading.usecases.nonces import wallet_next_nonce
from backend.trading.views.publish import order_message

router = APIRouter(prefix="/v1", tags=["orders"])
# A signed order, cancel, bulk cancel or cancel-replace is under 4 KiB as JSON; each an API replica hands on is kept
# in Redis until answered, so bodies up to HDEX_MAX_BODY_BYTES (256 KiB), 10,000 deep, would take gigabytes there.
ORDER_ENTRY_MAX_BODY_BYTES = 16_384
# every order-entry path (a `{name}` segment stands for any one: a cancel's order hash), for BodySizeLimitMiddleware
ORDER_ENTRY_PATHS = ("/v1/orders", "/v1/orders/{name}")
BATCH_PATH = "/v1/orders/batch"
BATCH_ITEM_MAX_BYTES = 4_096  # a signed order's body with its longest fields is under 1 KiB


def order_entry_max_body(settings: Settings) -> int:
    """The body limit of order entry, in both doors (the API and a replica)."""
    return min(settings.max_body_bytes, ORDER_ENTRY_MAX_BODY_BYTES)


def order_entry_body_limits(settings: Settings) -> dict[str, int]:
    """Order entry's body limit by path, for BodySizeLimitMiddleware in both doors: a batch takes MAX_BATCH_ORDERS
    orders (first: the first matching path wins, and `{name}` matches "batch" too)."""
    return {
        BATCH_PATH: min(settings.max_body_bytes, MAX_BATCH_ORDERS * BATCH_ITEM_MAX_BYTES),
        **dict.fromkeys(ORDER_ENTRY_PATHS, order_entry_max_body(settings)),
    }


def batch_answer(outcomes: list[tuple[int, dict[str, Any]] | HdexError]) -> dict[str, Any]:
    """A batch's body: each order's (status, answer) or refusal, in the request's order."""
    return {
        "results": [
            {"status": HTTP_STATUS[outcome.code], "order": None, "error": outcome.body()["error"]}
            if isinstance(outcome, HdexError)
            else {"status": outcome[0], "order": outcome[1], "error": None}
            for outcome in outcomes
        ]
    }


_UINT = {"type": "string", "pattern": "^[0-9]{1,78}$"}
_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}
_SIGNATURE = {"type": "string", "pattern": "^0x[0-9a-fA-F]{130}$"}
_ORDER_SCHEMA = {
    "type": "object",
    "required": [
        "maker", "baseToken", "quoteToken", "side", "baseAmount", "limitPrice", "triggerPrice",
        "maxFeeRate", "nonce", "expiry", "flags",
    ],
    "properties": {
        "maker": {**_ADDRESS, "description": "the signing wallet"},
        "baseToken": _ADDRESS, "quoteToken": _ADDRESS,
        "side": {"type": "integer", "enum": [0, 1], "description": "0 buy (pays quote, receives base), 1 sell"},
        "baseAmount": {**_UINT, "description": "base-token base units, a multiple of the market's lotSize"},
        "limitPrice": {
            **_UINT,
            "description": "quote base units per 1e18 base base-units, a multiple of tickSize; for market "
            "and stop-market orders the worst price accepted (also what a market buy holds)",
        },
        "triggerPrice": {
            **_UINT,
            "description": "stop kinds only (else 0): the last trade price that activates the order; "
            "a buy stop fires at or above it, a sell stop at or below",
        },
        "maxFeeRate": {
            "type": "integer", "minimum": 0,
            "description": "most fee accepted, in millionths of what the maker receives: at least the "
            "market's taker rate (post-only: its maker rate)",
        },
        "nonce": {
            **_UINT,
            "description": "uint64, at or above the wallet's on-chain nonce floor, one per order (another order of "
            "the wallet with this nonce, or an on-chain cancel that spent it: NONCE_USED); GET /v1/nonce gives the "
            "next, count up from it",
        },
        "expiry": {
            **_UINT,
            "description": "unix seconds; the order is valid up to and including it. IOC and fill-or-kill orders: at "
            "most HDEX_IMMEDIATE_ORDER_MAX_EXPIRY_S (60) ahead, else EXPIRY_TOO_LONG",
        },
        "flags": {
            "type": "integer", "minimum": 0,
            "description": "bits 0-1 the kind: 0 limit, 1 market, 2 stop-limit, 3 stop-market; "
            "+4 (bit 2) post-only, limit orders only; +8 (bit 3) fill-or-kill: only ever the taker, settled "
            "whole or not at all (timeInForce FOK needs it); +16 (bit 4) operator-triggered, stop kinds only: "
            "the maker accepts that the exchange decides when the stop triggered (needed in a market whose "
            "priceSource is null, else STOP_NEEDS_PRICE_SOURCE); 4 with 8, or 16 on a non-stop kind: "
            "FLAGS_CONFLICT; any other bit: UNKNOWN_FLAGS",
        },
    },
}  # fmt: skip
_CLIENT_ORDER_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,36}$", "description": "unique per wallet"}
_TIF = {
    "type": "string",
    "enum": ["GTC", "IOC", "FOK"],
    "description": "limit: GTC (default), IOC or FOK; market: IOC (default) or FOK; stop-limit: GTC; "
    "stop-market: IOC; a post-only order (flags bit 2) rests as post-only whatever this says. FOK is signed "
    "(flags bit 3): FOK without the flag, or the flag with GTC or IOC, is FILL_OR_KILL_MISMATCH",
}
_ERRORS: dict[int | str, dict[str, Any]] = {status: ERROR for status in (400, 401, 404, 409, 413, 422, 429, 503)}


_PLACE_BODY = {
    "type": "object",
    "required": ["order", "signature"],
    "properties": {
        "order": _ORDER_SCHEMA, "signature": _SIGNATURE, "timeInForce": _TIF, "clientOrderId": _CLIENT_ORDER_ID,
    },
}  # fmt: skip


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/orders",
    status_code=201,
    responses={**documented(OrderView, "the order, once stored", 201), **_ERRORS},
    openapi_extra=_body(_PLACE_BODY),
)
async def place_order(request: Request) -> JSONResponse:
    """Place a signed order. 201 with the order (its `hash` is its id) once it is stored. An optional
    `clientOrderId` (not signed) is kept with it, unique per wallet (DUPLICATE_CLIENT_ORDER_ID)."""
    # The hot path takes its dependencies straight from the app state: FastAPI's dependency
    # resolution costs more per request than everything else this route does before the engine.
    host = await get_host(request)
    order_request = order_entry.signature_checked(host, parse_order_request(await json_body(request)))
    await request.app.state.limiter.hit_address(order_request.order.maker)  # a write the wallet signed
    return JSONResponse(await order_entry.place(host, order_request), status_code=201)


@router.post(
    "/orders/batch",
    response_model=None,
    responses={**documented(BatchResult, "each order's outcome, once the placed ones are stored"), **_ERRORS},
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["orders"],
            "properties": {
                "orders": {
                    "type": "array", "minItems": 1, "maxItems": MAX_BATCH_ORDERS,
                    "items": _PLACE_BODY,
                    "description": "POST /v1/orders bodies, placed in this order",
                },
            },
        }
    ),
)  # fmt: skip
async def place_orders(request: Request, host: HostDep, limiter: LimiterDep) -> dict[str, Any]:
    """Place up to 20 signed orders in one request, in the order sent, each as `POST /v1/orders` would: one refused
    (a bad signature, too little balance, past its maker's rate limit, ...) refuses no other. 200 once the placed ones
    are stored, with one outcome per order in the same order: `status` 201 and the `order`, or the refusal's
    `status` and `error`. The whole request is refused, and nothing placed, only when it is not a list of 1 to 20
    orders. A batch weighs 10 against the IP's rate limit, each order 1 against its maker's."""
    items = batch_items(await json_body(request))
    placed = await order_entry.place_batch(host, items, limiter.hit_address)
    return batch_answer([outcome if isinstance(outcome, HdexError) else (201, outcome) for outcome in placed])


@router.get("/orders/{orderHash}", responses={**documented(OrderView, "the order"), **_ERRORS})
async def get_order(order_hash: OrderHashPath, host: HostDep, container: ContainerDep) -> JSONResponse:
    """One order by hash, open or not."""
    with container.uow() as uow:
        return JSONResponse(_order_view(uow.session, host, _hash(order_hash)))


@router.delete(
    "/orders/{orderHash}",
    responses={**documented(OrderView, "the order, cancelled"), **_ERRORS},
    openapi_extra=_body({"type": "object", "required": ["signature"], "properties": {"signature": _SIGNATURE}}),
)
async def cancel_order(
    order_hash: OrderHashPath, request: Request, host: HostDep, limiter: LimiterDep, container: ContainerDep
) -> JSONResponse:
    """Cancel one open order; the body carries the maker's signature over Cancel(maker, orderHash)."""
    cancel = parse_cancel_request(order_hash, await json_body(request, CANCEL_BODY))
    tracked = _open_order(host, container, cancel.order_hash, "orderHash")
    order_entry.check_cancel(host, tracked, cancel.signature)
    await limiter.hit_address(tracked.maker.lower())
    await order_entry.cancel(host, tracked)
    return JSONResponse(order_message(tracked))


@router.post(
    "/orders/cancel",
    response_model=None,
    responses={**documented(CancelAllResult, "the orders cancelled"), **_ERRORS},
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["maker", "timestamp", "signature"],
            "properties": {
                "maker": _ADDRESS,
                "market": {"type": ["string", "null"]},
                "timestamp": _UINT,
                "signature": _SIGNATURE,
            },
        }
    ),
)
async def cancel_orders(request: Request, host: HostDep, limiter: LimiterDep) -> dict[str, list[str]]:
    """Cancel every open order of `maker`, in `market` or in all markets. The maker signs
    Cancel(maker, keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")). `kept`: orders a halted market
    kept open (a cancel of all markets cancels the others; one naming a halted market is refused)."""
    cancel = parse_bulk_cancel_request(await json_body(request))
    order_entry.check_cancel_all(host, cancel)
    await limiter.hit_address(cancel.maker)
    return await order_entry.cancel_all(host, cancel)


@router.post(
    "/orders/replace",
    status_code=201,
    responses={**documented(ReplaceResult, "the old order cancelled, the new one placed", 201), **_ERRORS},
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["cancel", "order", "signature"],
            "properties": {
                "cancel": {
                    "type": "object",
                    "required": ["orderHash", "signature"],
                    "properties": {"orderHash": {"type": "string"}, "signature": _SIGNATURE},
                },
                "order": _ORDER_SCHEMA,
                "signature": _SIGNATURE,
                "timeInForce": _TIF,
                "clientOrderId": _CLIENT_ORDER_ID,
            },
        }
    ),
)
async def replace_order(request: Request, host: HostDep, limiter: LimiterDep, container: ContainerDep) -> JSONResponse:
    """Cancel an open order and place a new one of the same maker, in one step: the cancel's funds
    are the new order's, and nothing runs in between. `cancel` is the signed Cancel(maker, orderHash)
    of `DELETE /v1/orders/{hash}`; the rest is a `POST /v1/orders` body.

    The new order is fully checked first: if it is refused, or the cancel is (unknown, not open),
    nothing changes. 201 `{"cancelled": <old order>, "order": <new order>}`. If the engine refuses the
    new order after the cancel (post-only would cross, FOK not filled, ...): 409 REPLACE_PARTLY_FAILED
    with `cancelled` (the cancel stands) and `refused` (why the new order was not placed)."""
    replace = parse_replace_request(await json_body(request))
    replace = dataclasses.replace(replace, order=order_entry.signature_checked(host, replace.order))
    old = order_entry.order_to_replace(host, replace, _stored(host, container))
    await limiter.hit_address(replace.order.order.maker)
    try:
        replaced = await order_entry.replace(host, old, replace)
    except ReplacePartlyFailed as exc:
        return JSONResponse(order_entry.partly_replaced_answer(exc), status_code=HTTP_STATUS[exc.code])
    return JSONResponse(replaced, status_code=201)


@router.post(
    "/orders/cancel-after",
    response_model=None,
    responses={**documented(CancelAfterResult, "the new deadline"), **_ERRORS},
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["maker", "timeoutMs", "timestamp", "signature"],
            "properties": {
                "maker": _ADDRESS,
                "market": {"type": ["string", "null"]},
                "timeoutMs": _UINT,
                "timestamp": _UINT,
                "signature": _SIGNATURE,
            },
        }
    ),
)
async def cancel_after(request: Request, host: HostDep, limiter: LimiterDep) -> dict[str, Any]:
    """A dead-man switch: unless called again within `timeoutMs`, every open order of `maker` (in
    `market`, or in all markets when null) is cancelled with reason `cancel-after`. Each call replaces
    the deadline of its (maker, market); `timeoutMs` 0 turns it off, otherwise 5,000 to 86,400,000.
    The maker signs Cancel(maker, keccak256("HDEX cancel-after|<market or *>|<timeoutMs>|<timestamp ms>"))
    with `timestamp` as for a bulk cancel. Returns the `deadline` (ms since the epoch; null when off)."""
    cancel_after = parse_cancel_after_request(await json_body(request))
    order_entry.check_cancel_after(host, cancel_after)
    await limiter.hit_address(cancel_after.maker)
    return await order_entry.arm_cancel_after(host, cancel_after)


@router.get("/nonce", response_model=None, responses={**documented(NextNonce, "the next nonce"), **_ERRORS})
async def next_nonce(
    host: HostDep, maker: str = Query(description="the wallet, 0x and 40 hex digits in any case")
) -> dict[str, str]:
    """The nonce to sign `maker`'s next order with: one above the highest nonce its orders carry (whatever
    became of them) and its on-chain cancels spent, at least its on-chain nonce floor. Ask once, then count up:
    consecutive nonces share the contract's storage words and settle cheapest."""
    wallet = checksum(parse_address(maker, "maker"))
    return {"maker": wallet, "nonce": str(await wallet_next_nonce(host, wallet))}


class PlaceOrderFastPath:
    """Serves `POST /v1/orders` with `place_order` itself, without FastAPI's router, dependency
    resolution and exception middleware (they cost more per order than the order's own checks).
    Every other request, and this route's OpenAPI description, stay with FastAPI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/orders" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self._route is None:
            self._route = next(r for r in router.routes if getattr(r, "endpoint", None) is place_order)
        scope["route"] = self._route  # metrics label it like the router would
        try:
            response: Response = await place_order(Request(scope, receive))
        except HdexError as error:
            response = error_response(error)
        await response(scope, receive, send)


def _hash(value: Any, field: str = "orderHash") -> str:
    return parse_hash(value, field)


def _open_order(host: EngineHost, container: Container, order_hash: str, field: str) -> TrackedOrder:
    """The live order `order_hash`, else ORDER_NOT_OPEN (known) or ORDER_NOT_FOUND."""
    return order_entry.open_order(host, order_hash, _stored(host, container), field)


def _stored(host: EngineHost, container: Container) -> Callable[[str], bool]:
    """Whether an order of this hash was kept (open or not)."""

    def stored(key: str) -> bool:
        with container.uow() as uow:
            return order_entry.order_view(uow.session, host, key) is not None

    return stored


def _order_view(session: Session, host: EngineHost, order_hash: str) -> dict[str, Any]:
    view = order_entry.order_view(session, host, order_hash)
    if view is None:
        raise HdexError(ErrorCode.ORDER_NOT_FOUND, "no order with this hash", "orderHash")
    return view
