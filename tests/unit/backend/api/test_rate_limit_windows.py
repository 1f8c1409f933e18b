"""The rate limiter's counters in memory (`hdex up` without Redis), on a clock of the test's own."""

from __future__ import annotations

import asyncio

import pytest

from backend.api import windows as windows_module
from backend.api.windows import MemoryWindows, Window

SECOND = Window("3/1second", 1_000)
MINUTE = Window("100/1minute", 60_000)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(windows_module, "time", clock)
    return clock


def used(counters: MemoryWindows, client: str, weight: int = 1) -> list[int]:
    return [count.used for count in asyncio.run(counters.hit(client, [SECOND, MINUTE], weight))]


def test_each_window_counts_weights_until_it_ends_then_starts_again(clock: Clock) -> None:
    counters = MemoryWindows()
    assert used(counters, "ip:a") == [1, 1]
    assert used(counters, "ip:a", weight=5) == [6, 6]
    assert used(counters, "ip:b") == [1, 1]  # another client counts on its own
    clock.now += 1.0  # the second has ended, the minute has not
    assert used(counters, "ip:a") == [1, 7]
    [second, minute] = asyncio.run(counters.hit("ip:a", [SECOND, MINUTE], 1))
    assert (second.ends_at, minute.ends_at) == (clock.now + 1.0, clock.now - 1.0 + 60.0)


def test_windows_that_ended_are_dropped_so_memory_stays_bounded(clock: Clock) -> None:
    counters = MemoryWindows()
    for number in range(1_000):
        used(counters, f"ip:{number}")
    clock.now += 61.0  # every window has ended
    used(counters, "ip:new")
    assert len(counters._windows) == 2  # only the new client's two windows
