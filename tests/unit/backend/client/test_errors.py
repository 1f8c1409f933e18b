"""Whatever comes back (HDEX's error, a balancer's HTML page, a crash's text, nothing at all), a bot catching
`HdexClientError` catches it, with a code saying which it was."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import httpx
import pytest

from backend.client import AsyncHdexClient, HdexClient, HdexClientError, RateLimitedError, WaitTimeout
from backend.client.errors import parse_retry_after

Answer = httpx.Response | Exception


def sync_client(answer: Answer) -> HdexClient:
    def exchange(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = HdexClient("http://hdex.test")
    client._http = httpx.Client(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    return client


def refusal_of(answer: Answer) -> HdexClientError:
    with pytest.raises(HdexClientError) as refused:
        sync_client(answer).ticker("WETH-USDC")
    return refused.value


@pytest.mark.parametrize(
    ("answer", "status", "shown"),
    [
        (httpx.Response(502, text="<html><body>502 Bad Gateway</body></html>"), 502, "502 Bad Gateway"),
        (httpx.Response(500, text="Internal Server Error"), 500, "Internal Server Error"),
        (httpx.Response(503, content=b""), 503, "HTTP 503"),
        (httpx.Response(500, content=b"\xff\xfe not utf-8"), 500, "not utf-8"),
        (httpx.Response(404, json={"detail": "Not Found"}), 404, "Not Found"),
    ],
)
def test_an_error_answer_not_in_hdexs_json_is_an_http_error(answer: httpx.Response, status: int, shown: str) -> None:
    refused = refusal_of(answer)
    assert (refused.status, refused.code) == (status, "HTTP_ERROR") and shown in refused.message


def test_a_success_answer_that_is_not_json_is_a_bad_response() -> None:
    refused = refusal_of(httpx.Response(200, text="<html>captive portal</html>"))
    assert (refused.status, refused.code) == (200, "BAD_RESPONSE") and "captive portal" in refused.message


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset by peer")],
)
def test_no_answer_is_a_network_error_from_both_clients(failure: Exception) -> None:
    refused = refusal_of(failure)
    assert (refused.status, refused.code) == (0, "NETWORK") and type(failure).__name__ in refused.message

    async def read() -> None:
        def exchange(request: httpx.Request) -> httpx.Response:
            raise failure

        async with AsyncHdexClient("http://hdex.test") as client:
            client._http = httpx.AsyncClient(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
            await client.server_time()

    with pytest.raises(HdexClientError) as refused_async:
        asyncio.run(read())
    assert refused_async.value.code == "NETWORK"


def test_a_rate_limit_with_an_http_date_or_an_unreadable_retry_after_is_still_a_rate_limit() -> None:
    limited = {"error": {"code": "RATE_LIMITED", "message": "slow down"}}
    in_a_minute = formatdate(time.time() + 60, usegmt=True)
    for header, low, high in ((in_a_minute, 55.0, 61.0), ("soon", 1.0, 1.0), ("2", 2.0, 2.0)):
        refused = refusal_of(httpx.Response(429, json=limited, headers={"Retry-After": header}))
        assert isinstance(refused, RateLimitedError) and low <= refused.retry_after <= high


def test_a_429_that_is_a_standing_refusal_is_no_rate_limit_to_wait_out() -> None:
    """TOO_MANY_OPEN_ORDERS comes as 429 without Retry-After: waiting a second and retrying changes nothing."""
    refused = refusal_of(httpx.Response(429, json={"error": {"code": "TOO_MANY_OPEN_ORDERS", "message": "m"}}))
    assert refused.code == "TOO_MANY_OPEN_ORDERS" and not isinstance(refused, RateLimitedError)
    limited = refusal_of(httpx.Response(429, json={"error": {"code": "RATE_LIMITED", "message": "m"}}))
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 1.0


def test_retry_after_reads_seconds_and_http_dates_and_never_goes_below_zero() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now) == 30.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after("-5", now) == 0.0
    assert [parse_retry_after(value, now) for value in (None, "", "soon", "nan", "inf")] == [None] * 5


def test_a_balancers_429_with_retry_after_but_no_hdex_body_is_a_rate_limit() -> None:
    refused = refusal_of(httpx.Response(429, text="<html>Too Many Requests</html>", headers={"Retry-After": "3"}))
    assert isinstance(refused, RateLimitedError) and refused.retry_after == 3.0


def test_a_wait_reads_again_through_transient_failures_until_its_deadline() -> None:
    answers = iter([httpx.Response(503, text="busy"), httpx.ConnectError("reset"),
                    httpx.Response(200, json={"hash": "0xw", "status": "completed"})])  # fmt: skip

    def exchange(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = HdexClient("http://hdex.test")
    client._http = httpx.Client(base_url="http://hdex.test", transport=httpx.MockTransport(exchange))
    assert client.wait_for_withdrawal("0xw", timeout=5, poll_s=0)["status"] == "completed"
    with pytest.raises(WaitTimeout):
        sync_client(httpx.Response(502, text="down")).wait_for_withdrawal("0xw", timeout=0.05, poll_s=0.01)
    with pytest.raises(HdexClientError, match="NOT_FOUND"):  # a definite answer is not waited out
        sync_client(httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "m"}})).wait_for_withdrawal(
            "0xw"
        )
