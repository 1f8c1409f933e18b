"""Velocity: a wallet's volume in the window above a multiple of its level's limit, or of its own average,
matches; below both, or under the minimum, it does not."""

from __future__ import annotations

from backend.risk.aml import Rule, VelocityRule, velocity

from .history import ALICE, BOB, CAROL, DAY, HOUR, T0, UNIT, trade, withdrawal

RULE = VelocityRule(window_ms=DAY, level_multiple=5, history_multiple=10, history_ms=30 * DAY, min_volume=1_000 * UNIT)
DAILY_LIMIT = 1_000 * UNIT  # level 0's daily withdrawal limit: the level cap is 5,000 a day
NOW = T0 + 40 * DAY


def test_volume_above_the_level_cap_matches_with_the_fills_and_withdrawals_as_evidence() -> None:
    trades = [trade(1, ALICE, BOB, 3_000 * UNIT, NOW - HOUR), trade(2, BOB, ALICE, 1_500 * UNIT, NOW - 2 * HOUR)]
    withdrawals = [withdrawal("w1", 600 * UNIT, NOW - 3 * HOUR)]
    finding = velocity(ALICE, trades, withdrawals, DAILY_LIMIT, NOW, RULE)
    assert finding is not None and finding.rule is Rule.VELOCITY and finding.wallets == (ALICE,)
    assert finding.evidence["volume"] == str(5_100 * UNIT) and finding.evidence["levelCap"] == str(5_000 * UNIT)
    assert finding.evidence["fills"] == [2, 1] and finding.evidence["withdrawals"] == ["w1"]
    assert finding.refs == {"fill:1", "fill:2", "withdrawal:w1"}


def test_volume_at_the_level_cap_does_not_match() -> None:
    assert velocity(ALICE, [trade(1, ALICE, BOB, 5_000 * UNIT, NOW - HOUR)], [], DAILY_LIMIT, NOW, RULE) is None
    assert velocity(ALICE, [trade(1, ALICE, BOB, 5_000 * UNIT + 1, NOW - HOUR)], [], DAILY_LIMIT, NOW, RULE)


def test_volume_far_above_the_wallets_own_average_matches_even_within_its_level() -> None:
    # 30 days of 30 a day: an average of 30 a day; 3,001 today is above ten times that... and above the minimum
    history = [trade(100 + d, ALICE, BOB, 30 * UNIT, NOW - DAY - d * DAY) for d in range(30)]
    today = [trade(1, ALICE, BOB, 3_001 * UNIT, NOW - HOUR)]
    finding = velocity(ALICE, history + today, [], 10**9 * UNIT, NOW, RULE)
    assert finding is not None and "own average" in finding.message
    assert finding.evidence["historyAverage"] == str(30 * UNIT)
    assert finding.refs == {"fill:1"}  # the history is the yardstick, not the evidence


def test_volume_at_ten_times_the_average_does_not_match() -> None:
    history = [trade(100 + d, ALICE, BOB, 300 * UNIT, NOW - DAY - d * DAY) for d in range(30)]
    today = [trade(1, ALICE, BOB, 3_000 * UNIT, NOW - HOUR)]
    assert velocity(ALICE, history + today, [], 10**9 * UNIT, NOW, RULE) is None


def test_a_volume_under_the_minimum_never_matches() -> None:
    assert velocity(ALICE, [trade(1, ALICE, BOB, 999 * UNIT, NOW - HOUR)], [], 1, NOW, RULE) is None


def test_activity_before_the_window_or_of_another_wallet_does_not_count() -> None:
    trades = [trade(1, ALICE, BOB, 6_000 * UNIT, NOW - DAY), trade(2, BOB, CAROL, 9_000 * UNIT, NOW - HOUR)]
    assert velocity(ALICE, trades, [], DAILY_LIMIT, NOW, RULE) is None
