"""A cancel left without a clear answer is sent again (a bulk cancel newly stamped), until its outcome is known or a
`CancelOutcomeUnknown` says it is not; its timestamps follow the exchange's clock and never repeat."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend.client import CancelOutcomeUnknown, HdexClientError, OrdersKeptOpen

from .fake_exchange import FakeExchange, async_client, error, sync_client

ORDER = "0x" + "01" * 32


def answering(*answers: httpx.Response | Exception) -> object:
    queue = iter(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        next_answer = next(queue)
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer

    return answer


def test_a_bulk_cancel_without_an_answer_is_signed_again_with_a_new_timestamp() -> None:
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders/cancel")] = answering(  # type: ignore[assignment]
        error(504, "ENGINE_TIMEOUT"), httpx.ConnectError("reset"), httpx.Response(200, json={"cancelled": ["0xa"]})
    )
    assert sync_client(exchange).cancel_all("WETH-USDC") == ["0xa"]
    stamps = [int(body["timestamp"]) for body in exchange.sent("POST", "/v1/orders/cancel")]
    assert len(stamps) == 3 and stamps == sorted(set(stamps))


def test_a_bulk_cancel_a_halted_market_partly_kept_raises_orders_kept_open_with_both_lists() -> None:
    """A kill switch's caller must not take the orders a halted market kept open for gone: the answer is raised."""
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders/cancel")] = lambda request: httpx.Response(
        200, json={"cancelled": ["0xa"], "kept": ["0xb", "0xc"]}
    )
    with pytest.raises(OrdersKeptOpen, match="2 order") as kept:
        sync_client(exchange).cancel_all()
    assert (kept.value.cancelled, kept.value.kept, kept.value.code) == (["0xa"], ["0xb", "0xc"], "MARKET_HALTED")
    with pytest.raises(OrdersKeptOpen):
        asyncio.run(async_client(exchange).cancel_all())


def test_a_cancel_whose_outcome_stays_unknown_raises_cancel_outcome_unknown() -> None:
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders/cancel")] = lambda request: error(503, "ENGINE_BUSY")
    with pytest.raises(CancelOutcomeUnknown) as unknown:
        sync_client(exchange, resends=2).cancel_all()
    assert unknown.value.attempts == 3 and unknown.value.last.code == "ENGINE_BUSY"
    assert unknown.value.code == "CANCEL_OUTCOME_UNKNOWN" and "bulk cancel" in str(unknown.value)


def test_an_order_cancel_resent_after_a_timeout_and_refused_as_not_open_is_done() -> None:
    exchange = FakeExchange()
    exchange.writes[("DELETE", "/v1/orders")] = answering(  # type: ignore[assignment]
        httpx.ReadTimeout("no answer"), error(409, "ORDER_NOT_OPEN")
    )
    exchange.writes[("GET", "/v1/orders")] = lambda request: httpx.Response(200, json={"status": "cancelled"})
    assert sync_client(exchange).cancel_order(ORDER) == {"status": "cancelled"}
    first, second = exchange.sent("DELETE", "/v1/orders")
    assert first == second  # the same signed cancel


def test_a_definite_refusal_of_a_cancel_is_raised_at_once() -> None:
    exchange = FakeExchange()
    exchange.writes[("DELETE", "/v1/orders")] = lambda request: error(409, "ORDER_NOT_OPEN")
    with pytest.raises(HdexClientError, match="ORDER_NOT_OPEN"):
        sync_client(exchange).cancel_order(ORDER)
    assert len(exchange.sent("DELETE", "/v1/orders")) == 1


def test_cancel_timestamps_follow_the_exchanges_clock_and_rise_even_within_one_millisecond() -> None:
    exchange = FakeExchange()  # the exchange's clock: 2023, far behind this machine's
    exchange.writes[("POST", "/v1/orders/cancel-after")] = lambda request: httpx.Response(200, json={})
    exchange.writes[("POST", "/v1/orders/cancel")] = lambda request: httpx.Response(200, json={"cancelled": []})
    client = sync_client(exchange)
    client.cancel_after(10_000)
    client.cancel_all()
    client.cancel_all()
    stamps = [int(b["timestamp"]) for b in exchange.sent("POST", "/v1/orders/cancel-after")]
    stamps += [int(b["timestamp"]) for b in exchange.sent("POST", "/v1/orders/cancel")]
    assert all(abs(stamp - exchange.server_ms) < 5_000 for stamp in stamps)
    assert stamps == sorted(set(stamps))


def test_an_ioc_order_expires_by_the_exchanges_clock() -> None:
    exchange = FakeExchange()
    sync_client(exchange).place_order("WETH-USDC", "buy", 10**18, 3 * 10**9, time_in_force="IOC")
    [body] = exchange.sent("POST", "/v1/orders")
    assert 25 <= int(body["order"]["expiry"]) - exchange.server_ms // 1000 <= 31


def test_the_async_client_resends_an_unknown_bulk_cancel_too() -> None:
    exchange = FakeExchange()
    exchange.writes[("POST", "/v1/orders/cancel")] = answering(  # type: ignore[assignment]
        httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(200, json={"cancelled": []})
    )

    async def scenario() -> list[str]:
        async with async_client(exchange) as client:
            return await client.cancel_all()

    assert asyncio.run(scenario()) == [] and len(exchange.sent("POST", "/v1/orders/cancel")) == 2


def test_fills_read_page_by_page_and_the_async_client_reads_as_the_sync_one() -> None:
    exchange = FakeExchange()
    fills = [{"id": str(i)} for i in range(700, 0, -1)]

    def page(request: httpx.Request) -> httpx.Response:
        start, limit = int(request.url.params.get("cursor", 0)), int(request.url.params["limit"])
        following = str(start + limit) if start + limit < len(fills) else None
        return httpx.Response(200, json={"fills": fills[start : start + limit], "next": following})

    exchange.writes[("GET", "/v1/accounts/fills")] = page
    assert sync_client(exchange).fills(limit=650) == fills[:650]

    async def scenario() -> tuple[list[dict[str, str]], dict[str, object]]:
        async with async_client(exchange) as client:
            return await client.fills(limit=700), await client.ticker("WETH-USDC")

    assert asyncio.run(scenario()) == (fills, exchange.ticker)
