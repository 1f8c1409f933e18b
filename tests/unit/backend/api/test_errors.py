"""One error enum, every code mapped to an HTTP status in one place; the engine's codes all map."""

from __future__ import annotations

from backend.api.errors import HTTP_STATUS, ErrorCode, HdexError
from backend.engine import ResultCode
from backend.trading.checks import ENGINE_ERRORS


def test_every_error_code_has_exactly_one_http_status_in_the_4xx_or_503_range() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
    assert all(400 <= status < 500 or status == 503 for status in HTTP_STATUS.values())


def test_every_engine_code_an_order_can_meet_maps_to_an_api_code() -> None:
    refusals = {code for code in ResultCode if code not in (ResultCode.CANCELLED_BY_USER, ResultCode.IOC_REMAINDER,
                ResultCode.SELF_TRADE_PREVENTED, ResultCode.MARKET_EXISTS, ResultCode.INVALID_MARKET_SPEC,
                ResultCode.UNKNOWN_ORDER, ResultCode.AMEND_NOT_A_DECREASE)}  # fmt: skip
    assert refusals <= set(ENGINE_ERRORS)


def test_an_error_body_names_code_message_and_field() -> None:
    error = HdexError(ErrorCode.PRICE_OFF_TICK, "off the grid", "order.limitPrice")
    assert error.status == 422
    assert error.body() == {"error": {"code": "PRICE_OFF_TICK", "message": "off the grid", "field": "order.limitPrice"}}
