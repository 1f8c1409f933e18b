"""Structuring: several withdrawals just under the threshold within the window match; fewer, slower, or not
just under do not."""

from __future__ import annotations

from backend.risk.aml import Rule, StructuringRule, structuring

from .history import ALICE, BOB, HOUR, T0, UNIT, withdrawal

# 10,000 threshold, 10 % band: 9,000 <= value < 10,000; three within 24 h
RULE = StructuringRule(threshold=10_000 * UNIT, band_bps=1_000, window_ms=24 * HOUR, min_count=3)


def test_three_withdrawals_just_under_the_threshold_within_a_day_match_with_their_evidence() -> None:
    history = [withdrawal("w1", 9_900 * UNIT, T0), withdrawal("w2", 9_500 * UNIT, T0 + HOUR),
               withdrawal("w3", 9_000 * UNIT, T0 + 2 * HOUR)]  # fmt: skip
    [finding] = structuring(history, RULE)
    assert (finding.rule, finding.wallets, finding.key) == (Rule.STRUCTURING, (ALICE,), f"{ALICE}:w1")
    assert [w["id"] for w in finding.evidence["withdrawals"]] == ["w1", "w2", "w3"]
    assert finding.evidence["total"] == str(28_400 * UNIT)
    assert finding.evidence["withdrawals"][0]["amount"] == str(9_900 * UNIT)
    assert finding.refs == {"withdrawal:w1", "withdrawal:w2", "withdrawal:w3"}


def test_two_withdrawals_just_under_do_not_match() -> None:
    assert structuring([withdrawal("w1", 9_900 * UNIT, T0), withdrawal("w2", 9_900 * UNIT, T0 + HOUR)], RULE) == []


def test_the_band_is_inclusive_at_its_floor_and_exclusive_at_the_threshold() -> None:
    at_floor = [withdrawal(f"w{i}", 9_000 * UNIT, T0 + i) for i in range(3)]
    assert len(structuring(at_floor, RULE)) == 1
    below_floor = [withdrawal(f"w{i}", 9_000 * UNIT - 1, T0 + i) for i in range(3)]
    at_threshold = [withdrawal(f"w{i}", 10_000 * UNIT, T0 + i) for i in range(3)]
    assert structuring(below_floor, RULE) == [] and structuring(at_threshold, RULE) == []


def test_the_window_is_inclusive_at_its_end() -> None:
    spread = [withdrawal("w1", 9_500 * UNIT, T0), withdrawal("w2", 9_500 * UNIT, T0 + HOUR)]
    assert len(structuring([*spread, withdrawal("w3", 9_500 * UNIT, T0 + 24 * HOUR)], RULE)) == 1
    assert structuring([*spread, withdrawal("w3", 9_500 * UNIT, T0 + 24 * HOUR + 1)], RULE) == []


def test_withdrawals_of_different_wallets_are_not_added_up() -> None:
    history = [withdrawal("w1", 9_500 * UNIT, T0), withdrawal("w2", 9_500 * UNIT, T0 + 1),
               withdrawal("w3", 9_500 * UNIT, T0 + 2, wallet=BOB)]  # fmt: skip
    assert structuring(history, RULE) == []


def test_an_ongoing_run_is_one_finding_and_a_later_run_another() -> None:
    first = [withdrawal(f"a{i}", 9_500 * UNIT, T0 + i * 10 * HOUR) for i in range(5)]  # each window of 3 fits
    later = [withdrawal(f"b{i}", 9_500 * UNIT, T0 + 30 * 24 * HOUR + i) for i in range(3)]
    findings = structuring([*later, *first], RULE)
    assert [f.key for f in findings] == [f"{ALICE}:a0", f"{ALICE}:b0"]
    assert len(findings[0].evidence["withdrawals"]) == 5


def test_a_withdrawal_without_a_price_is_left_out() -> None:
    history = [
        withdrawal("w1", 9_500 * UNIT, T0),
        withdrawal("w2", 9_500 * UNIT, T0 + 1),
        withdrawal("w3", None, T0 + 2),
    ]
    assert structuring(history, RULE) == []
