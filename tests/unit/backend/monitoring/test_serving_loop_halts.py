"""A halt decided in the monitoring thread runs on the serving event loop, where the engine host lives."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from backend.monitoring.runner import HaltUnavailable, ServingLoopHalts


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

    def halt_market(self, market: str, kind: str, reason: str, until_ms: int, **prices: int | None) -> str:
        self.calls.append((market, kind, reason, until_ms, prices, threading.current_thread().name))
        return "halted"


class AsyncTrading(SyncTrading):
    async def halt_market(self, market: str, kind: str, reason: str, until_ms: int, **prices: int | None) -> str:  # type: ignore[override]
        await asyncio.sleep(0)
        return super().halt_market(market, kind, reason, until_ms, **prices)


@pytest.mark.parametrize("trading_class", [SyncTrading, AsyncTrading])
def test_a_halt_runs_on_the_serving_loop_and_returns_the_doors_answer(
    serving_loop: asyncio.AbstractEventLoop, trading_class: type[SyncTrading]
) -> None:
    trading = trading_class()
    halts = ServingLoopHalts(lambda: trading, lambda: serving_loop)
    result = halts.halt_market("WETH-USDC", "feed", "far", 99, reference=2_000, price=2_500)
    assert result == "halted"
    [(market, kind, reason, until_ms, prices, thread)] = trading.calls
    assert (market, kind, reason, until_ms, prices) == (
        "WETH-USDC",
        "feed",
        "far",
        99,
        {"reference": 2_000, "price": 2_500},
    )
    assert thread != threading.current_thread().name  # on the loop's thread, not the caller's


def test_without_an_engine_host_or_a_running_loop_a_halt_is_unavailable(
    serving_loop: asyncio.AbstractEventLoop,
) -> None:
    with pytest.raises(HaltUnavailable):
        ServingLoopHalts(lambda: None, lambda: serving_loop).halt_market("M", "feed", "r", 1, reference=1, price=2)
    with pytest.raises(HaltUnavailable):
        ServingLoopHalts(SyncTrading, lambda: None).halt_market("M", "feed", "r", 1, reference=1, price=2)
