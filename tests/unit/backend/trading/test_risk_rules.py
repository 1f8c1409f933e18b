"""Market risk rules: bands around the reference, the breaker's verdict, halts, limits, setting validation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backend.errors import HdexError
from backend.trading.rules.risk import (
    RISK_OFF,
    Halt,
    Move,
    RiskSettings,
    assess_move,
    band_range,
    breaker_halt,
    check_band,
    check_open_notional,
    check_order_limits,
    circuit_breaker_error,
    is_aggressive,
    moved_beyond,
    risk_setting_error,
)

SETTINGS = RiskSettings(band_bps=2_000, breaker_bps=1_000, alert_bps=500, window_s=300, cooldown_s=300,
                        feed_alert_bps=300, feed_halt_bps=1_500)  # fmt: skip


def code(error: pytest.ExceptionInfo[HdexError]) -> str:
    return str(error.value.code)


def test_the_band_is_inclusive_at_both_ends_and_rounds_inwards() -> None:
    assert band_range(3_000, 1_000) == (2_700, 3_300)
    assert band_range(1_001, 1_000) == (901, 1_101)  # 900.9 up, 1101.1 down
    check_band(2_700, 3_000, 1_000)
    check_band(3_300, 3_000, 1_000)
    for outside in (2_699, 3_301):
        with pytest.raises(HdexError) as refused:
            check_band(outside, 3_000, 1_000)
        assert code(refused) == "PRICE_OUTSIDE_BAND" and "from 2700 to 3300" in refused.value.message
    check_band(10**9, 3_000, 0)  # 0: no band


def test_a_band_of_all_of_the_price_never_goes_below_zero() -> None:
    assert band_range(3_000, 10_000) == (0, 6_000)


def test_an_order_is_aggressive_when_it_crosses_the_best_opposite_price() -> None:
    assert is_aggressive(0, 100, best_bid=90, best_ask=100)
    assert not is_aggressive(0, 99, best_bid=90, best_ask=100)
    assert is_aggressive(1, 90, best_bid=90, best_ask=100)
    assert not is_aggressive(1, 91, best_bid=90, best_ask=100)
    assert not is_aggressive(0, 10**9, best_bid=90, best_ask=None)  # nothing to take
    assert not is_aggressive(1, 1, best_bid=None, best_ask=100)


def test_the_breaker_halts_past_its_threshold_and_alerts_between_the_two() -> None:
    assert assess_move(1_000, 1_050, SETTINGS) is Move.CALM  # exactly 5%: not more than
    assert assess_move(1_000, 1_051, SETTINGS) is Move.VOLATILE
    assert assess_move(1_000, 1_100, SETTINGS) is Move.VOLATILE  # exactly 10%
    assert assess_move(1_000, 1_101, SETTINGS) is Move.BREAKER
    assert assess_move(1_000, 899, SETTINGS) is Move.BREAKER  # down as well as up
    assert assess_move(1_000, 10_000, replace(SETTINGS, breaker_bps=0, alert_bps=0)) is Move.CALM
    assert not moved_beyond(1_000, 5_000, 0)


def test_a_tripped_breaker_halts_for_the_cool_down_and_says_why() -> None:
    halt = breaker_halt("WETH-USDC", 1_000, 1_120, SETTINGS, now_ms=5_000)
    assert (halt.kind, halt.reference, halt.price, halt.halted_at_ms, halt.until_ms) == (
        "breaker",
        1_000,
        1_120,
        5_000,
        305_000,
    )
    assert "up 12%" in halt.reason and "breaker at 10%" in halt.reason
    error = circuit_breaker_error(halt)
    assert error.code == "MARKET_CIRCUIT_BREAKER" and "305000" in error.message and "up 12%" in error.message


def test_order_size_and_notional_limits_are_inclusive() -> None:
    limited = replace(SETTINGS, max_order_base=10, max_order_notional=100, max_open_notional=150)
    check_order_limits(10, 100, limited)
    with pytest.raises(HdexError) as size:
        check_order_limits(11, 100, limited)
    assert code(size) == "ORDER_SIZE_LIMIT_EXCEEDED"
    with pytest.raises(HdexError) as notional:
        check_order_limits(10, 101, limited)
    assert code(notional) == "MARKET_NOTIONAL_LIMIT_EXCEEDED"
    check_open_notional(50, 100, limited)
    with pytest.raises(HdexError) as open_notional:
        check_open_notional(51, 100, limited)
    assert code(open_notional) == "OPEN_NOTIONAL_LIMIT_EXCEEDED"
    check_order_limits(10**30, 10**30, SETTINGS)  # None: no limit
    check_open_notional(10**30, 10**30, SETTINGS)


def test_settings_that_cannot_work_are_named_with_the_reason() -> None:
    assert risk_setting_error(SETTINGS) is None
    assert risk_setting_error(RISK_OFF) is None
    cases = {
        "alert_bps": replace(SETTINGS, alert_bps=1_000),
        "band_bps": replace(SETTINGS, band_bps=10_001),
        "breaker_bps": replace(SETTINGS, breaker_bps=-1),
        "window_s": replace(SETTINGS, window_s=0),
        "cooldown_s": replace(SETTINGS, cooldown_s=86_401),
        "max_order_base": replace(SETTINGS, max_order_base=0),
        "feed_alert_bps": replace(SETTINGS, feed_alert_bps=1_500),
    }
    for field, settings in cases.items():
        problem = risk_setting_error(settings)
        assert problem is not None and problem[0] == field, field
    assert risk_setting_error(replace(SETTINGS, alert_bps=2_000, breaker_bps=0)) is None  # no breaker: any alert


def test_a_markets_own_settings_override_only_what_they_set() -> None:
    own = SETTINGS.overridden({"band_bps": 300, "breaker_bps": None, "max_open_notional": 7})
    assert (own.band_bps, own.breaker_bps, own.max_open_notional) == (300, 1_000, 7)


def test_a_halts_row_carries_every_column() -> None:
    halt = Halt("M", "feed", "feed off by 20%", None, 5, 1, 2)
    assert halt.row() == {"market": "M", "kind": "feed", "reason": "feed off by 20%", "reference": None,
                          "price": 5, "halted_at_ms": 1, "until_ms": 2, "cleared_by": None}  # fmt: skip
