"""Orders: place (`POST /v1/orders`), look up, cancel one (`DELETE`) or many (`POST /v1/orders/cancel`).

Bodies are parsed by hand (`backend.trading.orders`) rather than by a pydantic model: this is the
hot path, and the strict parser gives each bad field its own error code. The schemas below
document the same shapes for OpenAPI.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.api.deps import ContainerDep
from backend.api.errors import ErrorCode, HdexError, error_response
from backend.api.routes.dependencies import HostDep, LimiterDep, get_host, json_body, market_by_name
from backend.db.models import Order as OrderRow
from backend.trading.accounts import checksum
from backend.trading.cancels import bulk_cancel_scope, check_bulk_timestamp, verify_cancel
from backend.trading.host import EngineHost, now_ms
from backend.trading.orders import parse_address, parse_hex_bytes, parse_order_request, parse_uint
from backend.trading.publish import order_message
from backend.trading.restore import tracked_from_row

router = APIRouter(prefix="/v1", tags=["orders"])

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
        "maker": _ADDRESS, "baseToken": _ADDRESS, "quoteToken": _ADDRESS,
        "side": {"type": "integer", "enum": [0, 1]},
        "baseAmount": _UINT, "limitPrice": _UINT, "triggerPrice": _UINT,
        "maxFeeRate": {"type": "integer", "minimum": 0}, "nonce": _UINT, "expiry": _UINT,
        "flags": {"type": "integer", "minimum": 0},
    },
}  # fmt: skip
_ERROR = {"description": 'typed error: {"error": {"code", "message", "field"}}'}
_ERRORS: dict[int | str, dict[str, Any]] = {status: _ERROR for status in (400, 401, 404, 409, 413, 422, 429, 503)}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/orders",
    status_code=201,
    responses=_ERRORS,
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["order", "signature"],
            "properties": {
                "order": _ORDER_SCHEMA,
                "signature": _SIGNATURE,
                "timeInForce": {"type": "string", "enum": ["GTC", "IOC", "FOK"]},
            },
        }
    ),
)
async def place_order(request: Request) -> JSONResponse:
    """Place a signed order. 201 with the order (its `hash` is its id) once it is stored."""
    # The hot path takes its dependencies straight from the app state: FastAPI's dependency
    # resolution costs more per request than everything else this route does before the engine.
    host = await get_host(request)
    order_request = parse_order_request(await json_body(request))
    await request.app.state.limiter.hit_address(order_request.order.maker)
    tracked = host.place(order_request)
    await host.durable()
    return JSONResponse(order_message(tracked), status_code=201)


@router.get("/orders/{order_hash}", responses=_ERRORS)
async def get_order(order_hash: str, host: HostDep, container: ContainerDep) -> JSONResponse:
    """One order by hash, open or not."""
    key = _hash(order_hash)
    tracked = host.orders.get(key)
    if tracked is not None:
        return JSONResponse(order_message(tracked))
    with container.uow() as uow:
        return JSONResponse(_stored_order(uow.session, host, key))


@router.delete(
    "/orders/{order_hash}",
    responses=_ERRORS,
    openapi_extra=_body({"type": "object", "required": ["signature"], "properties": {"signature": _SIGNATURE}}),
)
async def cancel_order(
    order_hash: str, request: Request, host: HostDep, limiter: LimiterDep, container: ContainerDep
) -> JSONResponse:
    """Cancel one open order; the body carries the maker's signature over Cancel(maker, orderHash)."""
    key = _hash(order_hash)
    body = await json_body(request)
    signature = parse_hex_bytes(body.get("signature") if isinstance(body, dict) else None, 65, "signature")
    tracked = host.orders.get(key)
    if tracked is None:
        with container.uow() as uow:
            _stored_order(uow.session, host, key)  # raises ORDER_NOT_FOUND if unknown
        raise HdexError(ErrorCode.ORDER_NOT_OPEN, "the order is no longer open", "orderHash")
    await limiter.hit_address(tracked.maker.lower())
    verify_cancel(host.domain, tracked.maker, bytes.fromhex(key[2:]), signature)
    host.cancel(tracked)
    await host.durable()
    return JSONResponse(order_message(tracked))


@router.post(
    "/orders/cancel",
    responses=_ERRORS,
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
    Cancel(maker, keccak256("HDEX cancel-all|<market or *>|<timestamp ms>"))."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "the body must be a JSON object")
    maker = parse_address(body.get("maker"), "maker")
    market = body.get("market")
    if market is not None:
        if not isinstance(market, str):
            raise HdexError(ErrorCode.INVALID_FIELD, "must be a market name or null", "market")
        market_by_name(host, market)
    timestamp = parse_uint(body.get("timestamp"), 64, "timestamp")
    signature = parse_hex_bytes(body.get("signature"), 65, "signature")
    await limiter.hit_address(maker)
    verify_cancel(host.domain, maker, bulk_cancel_scope(market, timestamp), signature)
    wallet = checksum(maker)
    check_bulk_timestamp(timestamp, host.bulk_cancel_stamps.get(wallet, 0), now_ms())
    host.bulk_cancel_stamps[wallet] = timestamp
    cancelled = host.cancel_all(wallet, market)
    await host.durable()
    return {"cancelled": cancelled}


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


def _hash(value: str) -> str:
    return "0x" + parse_hex_bytes(value.lower(), 32, "orderHash").hex()


def _stored_order(session: Session, host: EngineHost, order_hash: str) -> dict[str, Any]:
    row = session.get(OrderRow, order_hash)
    if row is None:
        raise HdexError(ErrorCode.ORDER_NOT_FOUND, "no order with this hash", "orderHash")
    return order_message(tracked_from_row(row, market_by_name(host, row.market)))
