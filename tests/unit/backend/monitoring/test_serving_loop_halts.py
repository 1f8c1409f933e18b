"""A halt decided in the monitoring thread runs on the serving event loop, where the engine host lives."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from backend.alerts import AlertKind, PendingAlert, Severity
from backend.monitoring.feeds import HaltUnavailable
from backend.monitoring.runner import ServingLoopHalts

ALERT = PendingAlert(AlertKind.FEED_DEVIATION, Severity.CRITICAL, "M: halted", "market:M", "k", {}, 1)


@pytest.fixture
def serving_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


class SyncTrading:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.standing_by = False

    def halt_market(self, market: str, kind: str, reason: str, until_ms: int, **keywords: Any) -> str:
        self.calls.append((market, kind, reason, until_ms, keywords, threading.current_thread().name))
        return "halted"


class AsyncTrading(SyncTrading):
    async def halt_market(self, market: str, kind: str, reason: str, until_ms: int, **keywords: Any) -> str:  # type: ignore[override]
        await asyncio.sleep(0)
        return super().halt_market(market, kind, reason, until_ms, **keywords)


@pytest.mark.parametrize("trading_class", [SyncTrading, AsyncTrading])
def test_a_halt_runs_on_the_serving_loop_and_returns_the_doors_answer(
    serving_loop: asyncio.AbstractEventLoop, trading_class: type[SyncTrading]
) -> None:
    trading = trading_class()
    halts = ServingLoopHalts(lambda: trading, lambda: serving_loop)
    result = halts.halt_market("WETH-USDC", "feed", "far", 99, reference=2_000, price=2_500, alert=ALERT)
    assert result == "halted"
    [(market, kind, reason, until_ms, keywords, thread)] = trading.calls
    assert (market, kind, reason, until_ms, keywords) == (
        "WETH-USDC",
        "feed",
        "far",
        99,
        {"reference": 2_000, "price": 2_500, "alert": ALERT},
    )
    assert thread != threading.current_thread().name  # on the loop's thread, not the caller's


def test_without_an_engine_host_or_a_running_loop_a_halt_is_unavailable(
    serving_loop: asyncio.AbstractEventLoop,
) -> None:
    for halts in (ServingLoopHalts(lambda: None, lambda: serving_loop), ServingLoopHalts(SyncTrading, lambda: None)):
        with pytest.raises(HaltUnavailable):
            halts.halt_market("M", "feed", "r", 1, reference=1, price=2, alert=ALERT)


def test_an_engine_process_that_stands_by_refuses_the_halt_as_unavailable_without_calling_its_door(
    serving_loop: asyncio.AbstractEventLoop,
) -> None:
    trading = SyncTrading()
    trading.standing_by = True  # another engine process holds the engine lease and runs the book
    with pytest.raises(HaltUnavailable):
        ServingLoopHalts(lambda: trading, lambda: serving_loop).halt_market(
            "M", "feed", "r", 1, reference=1, price=2, alert=ALERT
        )
    assert trading.calls == []
