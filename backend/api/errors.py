"""Every error code mapped to an HTTP status in one place, and the handlers that present errors.

Responses are `{"error": {"code": "INVALID_SIGNATURE", "message": "...", "field": "signature"}}`.
Code below the doors raises `backend.errors.HdexError` (it knows no HTTP); the handlers below turn
it, FastAPI's validation errors and unmatched routes into that shape, so no 5xx escapes for bad input.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.errors import ErrorCode, HdexError

# Grouped as ErrorCode is. 4xx: the client can fix the request; 503: HDEX cannot serve it now.
HTTP_STATUS: dict[ErrorCode, int] = {
    # generic
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.INVALID_FIELD: 422,
    ErrorCode.AMOUNT_OUT_OF_RANGE: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    # rate limits and bodies
    ErrorCode.BODY_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    # signatures
    ErrorCode.INVALID_SIGNATURE: 401,
    ErrorCode.SIGNER_NOT_MAKER: 401,
    # order entry
    ErrorCode.ORDER_EXPIRED: 422,
    ErrorCode.NONCE_BELOW_FLOOR: 422,
    ErrorCode.WALLET_EXITING: 409,
    ErrorCode.DUPLICATE_ORDER: 409,
    ErrorCode.UNKNOWN_FLAGS: 422,
    ErrorCode.FLAGS_CONFLICT: 422,
    ErrorCode.FILL_OR_KILL_MISMATCH: 422,
    ErrorCode.EXPIRY_TOO_LONG: 422,
    ErrorCode.STOP_NEEDS_PRICE_SOURCE: 422,
    ErrorCode.NONCE_USED: 409,
    ErrorCode.INVALID_TRIGGER_PRICE: 422,
    ErrorCode.MAX_FEE_TOO_LOW: 422,
    ErrorCode.TOO_MANY_OPEN_ORDERS: 429,
    ErrorCode.ORDER_NOT_FOUND: 404,
    ErrorCode.ORDER_NOT_OPEN: 409,
    ErrorCode.CANCEL_EXPIRED: 422,
    ErrorCode.DUPLICATE_CLIENT_ORDER_ID: 409,
    ErrorCode.TIMEOUT_OUT_OF_RANGE: 422,
    ErrorCode.REPLACE_PARTLY_FAILED: 409,
    # markets
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
    ErrorCode.INVALID_MARKET: 422,
    # market risk
    ErrorCode.MARKET_CIRCUIT_BREAKER: 409,
    ErrorCode.ORDER_SIZE_LIMIT_EXCEEDED: 422,
    ErrorCode.MARKET_NOTIONAL_LIMIT_EXCEEDED: 422,
    ErrorCode.OPEN_NOTIONAL_LIMIT_EXCEEDED: 422,
    ErrorCode.INVALID_RISK_SETTING: 422,
    # accounts and balances
    ErrorCode.INSUFFICIENT_BALANCE: 422,
    # withdrawals
    ErrorCode.SIGNER_NOT_WALLET: 401,
    ErrorCode.WITHDRAWAL_EXPIRED: 422,
    ErrorCode.DUPLICATE_WITHDRAWAL: 409,
    ErrorCode.INVALID_RECIPIENT: 422,
    ErrorCode.WITHDRAWALS_PAUSED: 503,
    ErrorCode.TRAVEL_RULE_REQUIRED: 422,
    ErrorCode.TRAVEL_RULE_INVALID: 422,
    # compliance
    ErrorCode.ADDRESS_BLOCKED: 403,
    ErrorCode.SCREENING_UNAVAILABLE: 503,
    ErrorCode.INVALID_SCREENING_LIST: 422,
    ErrorCode.FROZEN_FUNDS_NOT_FOUND: 404,
    ErrorCode.FROZEN_FUNDS_NOT_HELD: 409,
    # monitoring
    ErrorCode.ALERT_NOT_FOUND: 404,
    ErrorCode.CASE_NOT_FOUND: 404,
    ErrorCode.CASE_TRANSITION_INVALID: 409,
    ErrorCode.NO_WITHDRAWAL_PAUSE: 409,
    # auth: a refused sign-in or a missing session is 401; a message that does not parse, 422
    ErrorCode.NOT_SIGNED_IN: 401,
    ErrorCode.CROSS_ORIGIN_REQUEST: 403,
    ErrorCode.SIWE_MALFORMED: 422,
    ErrorCode.SIWE_WRONG_DOMAIN: 401,
    ErrorCode.SIWE_WRONG_URI: 401,
    ErrorCode.SIWE_WRONG_CHAIN: 401,
    ErrorCode.SIWE_EXPIRED: 401,
    ErrorCode.SIWE_NOT_YET_VALID: 401,
    ErrorCode.SIWE_NONCE_INVALID: 401,
    # staff: refused credentials are 401, a missing permission or CSRF token 403, lock-out 429 with Retry-After
    ErrorCode.STAFF_NOT_SIGNED_IN: 401,
    ErrorCode.STAFF_BAD_CREDENTIALS: 401,
    ErrorCode.STAFF_CHALLENGE_INVALID: 401,
    ErrorCode.STAFF_TOTP_INVALID: 401,
    ErrorCode.STAFF_LOCKED: 429,
    ErrorCode.STAFF_RESET_LINK_INVALID: 401,
    ErrorCode.STAFF_WEAK_PASSWORD: 422,
    ErrorCode.STAFF_CSRF_FAILED: 403,
    ErrorCode.STAFF_FORBIDDEN: 403,
    ErrorCode.STAFF_NOT_FOUND: 404,
    ErrorCode.STAFF_EMAIL_TAKEN: 409,
    ErrorCode.STAFF_LAST_ADMIN: 409,
    # accounts and KYC (issue 13): a refused upload says why in its status; a bad webhook is 401, a replay 409;
    # without a vendor secret the webhook is as good as absent (404)
    ErrorCode.EMAIL_LINK_INVALID: 422,
    ErrorCode.JURISDICTION_RESTRICTED: 403,
    ErrorCode.KYC_ALREADY_PENDING: 409,
    ErrorCode.KYC_ALREADY_APPROVED: 409,
    ErrorCode.KYC_LEVEL_REQUIRED: 409,
    ErrorCode.KYC_SUBMISSION_NOT_FOUND: 404,
    ErrorCode.KYC_DOCUMENT_NOT_FOUND: 404,
    ErrorCode.KYC_NOT_PENDING: 409,
    ErrorCode.UPLOAD_TOO_LARGE: 413,
    ErrorCode.UPLOAD_TYPE_REFUSED: 415,
    ErrorCode.WEBHOOK_NOT_CONFIGURED: 404,
    ErrorCode.WEBHOOK_SIGNATURE_INVALID: 401,
    ErrorCode.WEBHOOK_STALE: 401,
    ErrorCode.WEBHOOK_REPLAYED: 409,
    # limits (issue 13): over a limit is 422 like an insufficient balance; another wallet's data 403
    ErrorCode.WITHDRAWAL_LIMIT_EXCEEDED: 422,
    ErrorCode.WITHDRAWAL_TOO_SMALL: 422,
    ErrorCode.ORDER_NOTIONAL_LIMIT_EXCEEDED: 422,
    ErrorCode.ACCOUNT_FORBIDDEN: 403,
    # statistics (issue 16)
    ErrorCode.STATS_RANGE_INVALID: 422,
    ErrorCode.STATS_TABLE_UNKNOWN: 404,
    ErrorCode.STATS_EVENT_UNKNOWN: 422,
    # support desk and help center (issue 16)
    ErrorCode.HELP_ARTICLE_NOT_FOUND: 404,
    ErrorCode.HELP_SLUG_TAKEN: 409,
    ErrorCode.HELP_TRANSLATION_TAKEN: 409,
    ErrorCode.TICKET_NOT_FOUND: 404,
    ErrorCode.TICKET_TRANSITION_INVALID: 409,
    ErrorCode.TICKET_CLOSED: 409,
    ErrorCode.TICKET_LIMIT_REACHED: 429,
    ErrorCode.TICKET_MESSAGE_LIMIT_REACHED: 429,
    ErrorCode.TICKET_ATTACHMENT_NOT_FOUND: 404,
    ErrorCode.SAVED_REPLY_NOT_FOUND: 404,
    ErrorCode.SAVED_REPLY_TITLE_TAKEN: 409,
    # announcements (issue 16)
    ErrorCode.ANNOUNCEMENT_NOT_FOUND: 404,
    ErrorCode.ANNOUNCEMENT_WINDOW_INVALID: 422,
    ErrorCode.ANNOUNCEMENT_WITHDRAWN: 409,
    # forum (issue 16)
    ErrorCode.FORUM_CATEGORY_NOT_FOUND: 404,
    ErrorCode.FORUM_CATEGORY_EXISTS: 409,
    ErrorCode.FORUM_CATEGORY_NOT_EMPTY: 409,
    ErrorCode.FORUM_THREAD_NOT_FOUND: 404,
    ErrorCode.FORUM_POST_NOT_FOUND: 404,
    ErrorCode.FORUM_THREAD_LOCKED: 409,
    ErrorCode.FORUM_BANNED: 403,
    ErrorCode.FORUM_POSTING_LIMITED: 429,
    ErrorCode.FORUM_ALREADY_REPORTED: 409,
    ErrorCode.FORUM_REPORT_NOT_FOUND: 404,
    ErrorCode.FORUM_REPORT_CLOSED: 409,
    ErrorCode.FORUM_ALREADY_BANNED: 409,
    ErrorCode.FORUM_BAN_NOT_FOUND: 404,
    # chain and RPC
    ErrorCode.NOT_DEPLOYED: 503,
    ErrorCode.RPC_UNAVAILABLE: 503,
    ErrorCode.NODE_UNAVAILABLE: 503,
    ErrorCode.COMPILE_FAILED: 503,
    # service
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.ENGINE_BUSY: 503,
    ErrorCode.ENGINE_TIMEOUT: 504,
}


def error_response(error: HdexError) -> JSONResponse:
    """The JSON response of `error`."""
    return JSONResponse(error.body(), status_code=HTTP_STATUS[error.code], headers=error.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every expected failure through `error_response`."""

    async def on_hdex_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HdexError)
        return error_response(exc)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        loc = list(first.get("loc", ()))
        # only the leading part says where (body, query, path...): a field literally named `body` is still named
        location = [str(part) for part in (loc[1:] if loc and loc[0] in ("body", "query", "path") else loc)]
        location = [part for part in location if part != "[key]"]  # a bad key of a map: the key names the field
        # a body-wide check (a NUL character: `schemas.Input`) says itself where it found the fault
        field = ".".join(location) or first.get("ctx", {}).get("field") or None
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
