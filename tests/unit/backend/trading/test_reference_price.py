"""The reference price: the last trade at or before the breaker window's start, kept one per second."""

from __future__ import annotations

from backend.trading.rules.reference import ReferencePrice

WINDOW_MS = 300_000
T0 = 1_800_000_000_000


def test_a_market_that_never_traded_has_no_reference() -> None:
    assert ReferencePrice(WINDOW_MS).value(T0) is None


def test_a_new_market_measures_from_its_first_trade_until_the_window_has_passed_it() -> None:
    reference = ReferencePrice(WINDOW_MS)
    reference.record(T0, 100)
    reference.record(T0 + 10_000, 105)
    assert reference.value(T0 + 20_000) == 100
    assert reference.value(T0 + WINDOW_MS + 10_998) == 100  # the 105 trade's second has not wholly left
    assert reference.value(T0 + WINDOW_MS + 10_999) == 105


def test_the_reference_is_the_last_price_at_or_before_the_windows_start() -> None:
    reference = ReferencePrice(WINDOW_MS, last_price=90)
    assert reference.value(T0) == 90  # the last trade known (a restart remembers the engine's)
    reference.record(T0, 100)
    reference.record(T0 + 1_000, 120)
    assert reference.value(T0 + 60_000) == 90
    assert reference.value(T0 + WINDOW_MS + 999) == 100
    assert reference.value(T0 + WINDOW_MS + 1_999) == 120
    assert reference.value(T0 + 10 * WINDOW_MS) == 120  # no trade since: the last one stays


def test_trades_in_one_second_keep_only_the_last_price() -> None:
    reference = ReferencePrice(WINDOW_MS)
    for offset, price in ((0, 100), (200, 130), (999, 110)):
        reference.record(T0 + offset, price)
    assert reference.value(T0 + WINDOW_MS + 999) == 110
    assert len(reference._points) == 0 and reference._anchor == 110


def test_memory_is_bounded_by_the_windows_seconds_whatever_the_trade_rate() -> None:
    reference = ReferencePrice(10_000)
    for ms in range(0, 60_000, 7):
        reference.record(T0 + ms, 100 + ms % 13)
    assert len(reference._points) <= 11


def test_a_halt_ending_restarts_the_reference_at_the_halts_price() -> None:
    reference = ReferencePrice(WINDOW_MS, last_price=100)
    reference.record(T0, 112)
    reference.reset(112)
    assert reference.value(T0 + 1) == 112
    reference.record(T0 + 1_000, 118)
    assert reference.value(T0 + 2_000) == 112
