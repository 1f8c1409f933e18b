"""The example bots against a scripted exchange: the taker never signs a new order while one's outcome is unknown,
and the market maker arms its dead-man switch each round and does not leave before its quotes are gone."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from backend.client import HdexClient
from backend.paths import PROJECT_ROOT

from .fake_exchange import FakeExchange, error


@pytest.fixture
def bots(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType, ModuleType]]:
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        import bot_launch
        import market_maker
        import taker_bot

        yield market_maker, taker_bot, bot_launch
    finally:
        sys.path.remove(str(PROJECT_ROOT / "scripts"))
        for signum, handler in handlers.items():  # the bots install their own
            signal.signal(signum, handler)


def run(bot: ModuleType, exchange: FakeExchange, monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    class ScriptedClient(HdexClient):
        def __init__(self, url: str, key: str, rpc_url: str | None = None) -> None:
            super().__init__(url, key, rpc_url=rpc_url, resends=1, resend_backoff_s=0)
            self._http = httpx.Client(base_url=url, transport=httpx.MockTransport(exchange))

    monkeypatch.setattr(bot, "HdexClient", ScriptedClient)
    monkeypatch.setattr(sys, "argv", ["bot", "--url", "http://hdex.test", *argv])
    bot.main()


def test_the_taker_learns_an_unknown_orders_fill_before_signing_another(
    bots: tuple[ModuleType, ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exchange = FakeExchange()
    filled: dict[str, dict[str, Any]] = {}  # the engine filled every order, but answered the first ones too late

    def place(request: httpx.Request) -> httpx.Response:
        order = json.loads(request.content)["order"]
        filled[order["nonce"]] = {**order, "status": "filled", "filled": order["baseAmount"]}
        if len(exchange.sent("POST", "/v1/orders")) <= 3:
            return error(504, "ENGINE_TIMEOUT")
        return httpx.Response(201, json=filled[order["nonce"]])

    exchange.writes[("POST", "/v1/orders")] = place
    steps = 0

    def sleep(seconds: float) -> None:  # the bot's pause between steps; the client's resends pause 0 s
        nonlocal steps
        steps += seconds == 0.25
        if steps == 3:
            raise bots[2].Stopped("SIGTERM")

    monkeypatch.setattr("time.sleep", sleep)
    run(bots[1], exchange, monkeypatch, "--interval", "0.25", "--size", "1")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    signed = [(body["order"]["side"], body["order"]["nonce"]) for body in exchange.sent("POST", "/v1/orders")]
    assert signed == [("0", "1")] * 4 + [("1", "2")]  # the buy resent as signed until its fill was known, then a sell
    assert report == {"orders": 2, "filled": 2 * 10**18, "refused": 0, "unknown": 0}


def test_the_market_maker_arms_the_dead_man_switch_and_retries_its_exit_cancel_until_no_quote_stands(
    bots: tuple[ModuleType, ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exchange = FakeExchange()
    resting: list[str] = []
    bulk_answers = iter([None, error(503, "ENGINE_BUSY", {"Retry-After": "0"}),
                         error(429, "RATE_LIMITED", {"Retry-After": "0"})])  # fmt: skip

    def place(request: httpx.Request) -> httpx.Response:  # one batch a round
        orders = json.loads(request.content)["orders"]
        resting.extend(order["order"]["nonce"] for order in orders)
        return httpx.Response(200, json={"results": [{"status": 201, "order": {"status": "open"}, "error": None}
                                                     for _ in orders]})  # fmt: skip

    def cancel_all(request: httpx.Request) -> httpx.Response:
        refusal = next(bulk_answers, None)
        if refusal is not None:
            return refusal
        cancelled = list(resting)
        resting.clear()
        return httpx.Response(200, json={"cancelled": cancelled})

    exchange.writes[("POST", "/v1/orders/batch")] = place
    exchange.writes[("POST", "/v1/orders/cancel")] = cancel_all
    exchange.writes[("POST", "/v1/orders/cancel-after")] = lambda request: httpx.Response(200, json={})
    exchange.writes[("GET", "/v1/accounts/orders")] = lambda request: httpx.Response(
        200, json={"orders": [{"nonce": nonce} for nonce in resting], "next": None}
    )
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    monkeypatch.setattr(bots[0], "SHUTDOWN_BACKOFF_S", 0)
    run(bots[0], exchange, monkeypatch, "--rounds", "1", "--refresh", "20", "--levels", "2")
    armed = exchange.sent("POST", "/v1/orders/cancel-after")
    assert [body["timeoutMs"] for body in armed] == ["60000"]  # 3 x --refresh
    assert resting == [] and "cancelled 4 quotes" in capsys.readouterr().out
    assert len(exchange.sent("POST", "/v1/orders/batch")) == 1  # the round's 4 quotes, in one request
    assert len(exchange.sent("POST", "/v1/orders/cancel")) >= 4  # the round's, then 503 and 429 before success
