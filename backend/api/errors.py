"""Every error code the API returns, grouped by subsystem, mapped to HTTP in one place.

Responses are `{"error": {"code": "INVALID_SIGNATURE", "message": "...", "field": "signature"}}`.
Domain code raises `HdexError(ErrorCode.X, message, field)`; the handlers below turn it, FastAPI's
validation errors and unmatched routes into that shape, so no 5xx escapes for bad input.
"""

from __future__ import annotations

from enum import StrEnum

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorCode(StrEnum):
    """Stable wire codes. Grouped by the subsystem that refuses; HTTP status in `HTTP_STATUS`."""

    # request: the HTTP request itself
    MALFORMED_JSON = "MALFORMED_JSON"
    INVALID_FIELD = "INVALID_FIELD"
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"
    BODY_TOO_LARGE = "BODY_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"

    # signature: who signed what
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    SIGNER_NOT_MAKER = "SIGNER_NOT_MAKER"

    # order: the order's own fields and lifecycle
    ORDER_EXPIRED = "ORDER_EXPIRED"
    NONCE_BELOW_FLOOR = "NONCE_BELOW_FLOOR"
    DUPLICATE_ORDER = "DUPLICATE_ORDER"
    UNKNOWN_FLAGS = "UNKNOWN_FLAGS"
    INVALID_TRIGGER_PRICE = "INVALID_TRIGGER_PRICE"
    MAX_FEE_TOO_LOW = "MAX_FEE_TOO_LOW"
    TOO_MANY_OPEN_ORDERS = "TOO_MANY_OPEN_ORDERS"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_NOT_OPEN = "ORDER_NOT_OPEN"
    CANCEL_EXPIRED = "CANCEL_EXPIRED"
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    TIMEOUT_OUT_OF_RANGE = "TIMEOUT_OUT_OF_RANGE"
    REPLACE_PARTLY_FAILED = "REPLACE_PARTLY_FAILED"

    # market: the market's rules and state
    UNKNOWN_MARKET = "UNKNOWN_MARKET"
    MARKET_HALTED = "MARKET_HALTED"
    MARKET_CANCEL_ONLY = "MARKET_CANCEL_ONLY"
    INVALID_PRICE = "INVALID_PRICE"
    PRICE_OFF_TICK = "PRICE_OFF_TICK"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    QUANTITY_OFF_LOT = "QUANTITY_OFF_LOT"
    BELOW_MIN_NOTIONAL = "BELOW_MIN_NOTIONAL"
    PRICE_OUTSIDE_BAND = "PRICE_OUTSIDE_BAND"
    TIF_NOT_ALLOWED = "TIF_NOT_ALLOWED"
    POST_ONLY_WOULD_CROSS = "POST_ONLY_WOULD_CROSS"
    FOK_NOT_FILLED = "FOK_NOT_FILLED"
    WOULD_TRIGGER_IMMEDIATELY = "WOULD_TRIGGER_IMMEDIATELY"

    # balance: funds
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"

    # withdrawal: signed withdrawals
    SIGNER_NOT_WALLET = "SIGNER_NOT_WALLET"
    WITHDRAWAL_EXPIRED = "WITHDRAWAL_EXPIRED"
    DUPLICATE_WITHDRAWAL = "DUPLICATE_WITHDRAWAL"
    INVALID_RECIPIENT = "INVALID_RECIPIENT"

    # compliance: screening
    ADDRESS_BLOCKED = "ADDRESS_BLOCKED"
    SCREENING_UNAVAILABLE = "SCREENING_UNAVAILABLE"

    # service: the exchange cannot take orders right now
    NOT_DEPLOYED = "NOT_DEPLOYED"
    UNAVAILABLE = "UNAVAILABLE"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.INVALID_FIELD: 422,
    ErrorCode.AMOUNT_OUT_OF_RANGE: 422,
    ErrorCode.BODY_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.INVALID_SIGNATURE: 401,
    ErrorCode.SIGNER_NOT_MAKER: 401,
    ErrorCode.ORDER_EXPIRED: 422,
    ErrorCode.NONCE_BELOW_FLOOR: 422,
    ErrorCode.DUPLICATE_ORDER: 409,
    ErrorCode.UNKNOWN_FLAGS: 422,
    ErrorCode.INVALID_TRIGGER_PRICE: 422,
    ErrorCode.MAX_FEE_TOO_LOW: 422,
    ErrorCode.TOO_MANY_OPEN_ORDERS: 429,
    ErrorCode.ORDER_NOT_FOUND: 404,
    ErrorCode.ORDER_NOT_OPEN: 409,
    ErrorCode.CANCEL_EXPIRED: 422,
    ErrorCode.DUPLICATE_CLIENT_ORDER_ID: 409,
    ErrorCode.TIMEOUT_OUT_OF_RANGE: 422,
    ErrorCode.REPLACE_PARTLY_FAILED: 409,
    ErrorCode.UNKNOWN_MARKET: 404,
    ErrorCode.MARKET_HALTED: 409,
    ErrorCode.MARKET_CANCEL_ONLY: 409,
    ErrorCode.INVALID_PRICE: 422,
    ErrorCode.PRICE_OFF_TICK: 422,
    ErrorCode.INVALID_QUANTITY: 422,
    ErrorCode.QUANTITY_OFF_LOT: 422,
    ErrorCode.BELOW_MIN_NOTIONAL: 422,
    ErrorCode.PRICE_OUTSIDE_BAND: 422,
    ErrorCode.TIF_NOT_ALLOWED: 422,
    ErrorCode.POST_ONLY_WOULD_CROSS: 409,
    ErrorCode.FOK_NOT_FILLED: 409,
    ErrorCode.WOULD_TRIGGER_IMMEDIATELY: 409,
    ErrorCode.SIGNER_NOT_WALLET: 401,
    ErrorCode.WITHDRAWAL_EXPIRED: 422,
    ErrorCode.DUPLICATE_WITHDRAWAL: 409,
    ErrorCode.INVALID_RECIPIENT: 422,
    ErrorCode.ADDRESS_BLOCKED: 403,
    ErrorCode.SCREENING_UNAVAILABLE: 503,
    ErrorCode.INSUFFICIENT_BALANCE: 422,
    ErrorCode.NOT_DEPLOYED: 503,
    ErrorCode.UNAVAILABLE: 503,
}


class HdexError(Exception):
    """The root of every error the API reports: a code, a message for people, the offending field."""

    def __init__(
        self, code: ErrorCode, message: str, field: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]

    def body(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"code": self.code.value, "message": self.message, "field": self.field}}


def error_response(error: HdexError) -> JSONResponse:
    """The JSON response of `error`."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every expected failure through `error_response`."""

    async def on_hdex_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HdexError)
        return error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location) or None
        if first.get("type") == "json_invalid":
            return error_response(HdexError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON"))
        message = str(first.get("msg", "invalid request"))
        return error_response(HdexError(ErrorCode.INVALID_FIELD, message, field))

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}.get(
            exc.status_code, ErrorCode.INVALID_FIELD
        )
        response = JSONResponse(
            HdexError(code, str(exc.detail)).body(), status_code=exc.status_code, headers=exc.headers
        )
        return response

    app.add_exception_handler(HdexError, on_hdex_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
