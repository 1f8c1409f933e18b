"""One error enum, every code mapped to an HTTP status in one place; the engine's codes all map."""

from __future__ import annotations

import json

from backend.api.errors import HTTP_STATUS, error_response
from backend.engine import ResultCode
from backend.errors import ErrorCode, HdexError
from backend.signing import SignatureError
from backend.trading.rules.checks import ENGINE_ERRORS


def test_every_error_code_has_exactly_one_http_status_in_the_4xx_or_503_range() -> None:
    assert set(HTTP_STATUS) == set(ErrorCode)
    # 504 only where an API replica waited for the engine process in vain (the order may stand)
    assert {code for code, status in HTTP_STATUS.items() if status == 504} == {ErrorCode.ENGINE_TIMEOUT}
    assert all(400 <= status < 500 or status in (503, 504) for status in HTTP_STATUS.values())


def test_every_engine_code_an_order_can_meet_maps_to_an_api_code() -> None:
    refusals = {code for code in ResultCode if code not in (ResultCode.CANCELLED_BY_USER, ResultCode.IOC_REMAINDER,
                ResultCode.SELF_TRADE_PREVENTED, ResultCode.MARKET_EXISTS, ResultCode.INVALID_MARKET_SPEC,
                ResultCode.UNKNOWN_ORDER, ResultCode.AMEND_NOT_A_DECREASE)}  # fmt: skip
    assert refusals <= set(ENGINE_ERRORS)


def test_an_error_response_carries_the_status_of_its_code_the_body_and_the_headers() -> None:
    error = HdexError(ErrorCode.RATE_LIMITED, "slow down", headers={"Retry-After": "2"})
    response = error_response(error)
    assert (response.status_code, response.headers["retry-after"]) == (429, "2")
    assert json.loads(response.body) == {"error": {"code": "RATE_LIMITED", "message": "slow down", "field": None}}


def test_a_folded_domain_error_is_presented_with_its_code() -> None:
    response = error_response(SignatureError("v must be 27 or 28 (or 0 or 1)"))
    assert response.status_code == 401
    assert json.loads(response.body)["error"]["code"] == "INVALID_SIGNATURE"
