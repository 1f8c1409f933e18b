"""Rapid in-out: a deposit withdrawn (mostly) again within the window, with little trading in between,
matches; trading enough, withdrawing too little or too late does not."""

from __future__ import annotations

from backend.risk.aml import RapidInOutRule, Rule, rapid_in_out

from .history import ALICE, BOB, DAY, HOUR, T0, UNIT, deposit, trade, withdrawal

# withdrawn >= 80 % within 24 h, traded < 20 % in between, deposits of 1,000 and more
RULE = RapidInOutRule(window_ms=DAY, out_bps=8_000, trade_bps=2_000, min_deposit=1_000 * UNIT)


def test_a_deposit_withdrawn_within_the_day_without_trading_matches_with_its_evidence() -> None:
    deposits = [deposit("7", 10_000 * UNIT, T0)]
    withdrawals = [withdrawal("w1", 5_000 * UNIT, T0 + HOUR), withdrawal("w2", 3_000 * UNIT, T0 + 2 * HOUR),
                   withdrawal("w3", 2_000 * UNIT, T0 + 3 * HOUR)]  # fmt: skip
    trades = [trade(1, ALICE, BOB, 100 * UNIT, T0 + 30 * 60_000)]
    [finding] = rapid_in_out(deposits, withdrawals, trades, RULE)
    assert (finding.rule, finding.wallets, finding.key) == (Rule.RAPID_IN_OUT, (ALICE,), f"{ALICE}:7")
    assert finding.evidence["deposit"]["amount"] == str(10_000 * UNIT)
    assert [w["id"] for w in finding.evidence["withdrawals"]] == ["w1", "w2"]  # 80 % reached at w2
    assert (finding.evidence["withdrawn"], finding.evidence["traded"]) == (str(8_000 * UNIT), str(100 * UNIT))
    assert finding.refs == {"deposit:7", "withdrawal:w1", "withdrawal:w2", "fill:1"}


def test_trading_a_fifth_of_the_deposit_in_between_does_not_match() -> None:
    deposits, withdrawals = [deposit("7", 10_000 * UNIT, T0)], [withdrawal("w1", 10_000 * UNIT, T0 + HOUR)]
    assert rapid_in_out(deposits, withdrawals, [trade(1, BOB, ALICE, 2_000 * UNIT, T0 + 1)], RULE) == []
    assert rapid_in_out(deposits, withdrawals, [trade(1, BOB, ALICE, 2_000 * UNIT - 1, T0 + 1)], RULE)


def test_withdrawing_less_than_the_share_does_not_match_and_exactly_the_share_does() -> None:
    deposits = [deposit("7", 10_000 * UNIT, T0)]
    assert rapid_in_out(deposits, [withdrawal("w1", 8_000 * UNIT - 1, T0 + HOUR)], [], RULE) == []
    assert rapid_in_out(deposits, [withdrawal("w1", 8_000 * UNIT, T0 + HOUR)], [], RULE)


def test_a_withdrawal_after_the_window_does_not_count() -> None:
    deposits = [deposit("7", 10_000 * UNIT, T0)]
    assert rapid_in_out(deposits, [withdrawal("w1", 10_000 * UNIT, T0 + DAY)], [], RULE)
    assert rapid_in_out(deposits, [withdrawal("w1", 10_000 * UNIT, T0 + DAY + 1)], [], RULE) == []


def test_small_deposits_and_other_wallets_withdrawals_are_not_looked_at() -> None:
    assert rapid_in_out([deposit("7", 999 * UNIT, T0)], [withdrawal("w1", 999 * UNIT, T0 + 1)], [], RULE) == []
    other = [withdrawal("w1", 10_000 * UNIT, T0 + 1, wallet=BOB)]
    assert rapid_in_out([deposit("7", 10_000 * UNIT, T0)], other, [], RULE) == []
