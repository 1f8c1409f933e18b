"""Rapid in-out: a deposit withdrawn (mostly) again within the window, with little trading in between,
matches; trading enough, withdrawing too little or too late does not. A wallet's deposits count together: one
amount split into deposits each under the minimum matches as the whole would, once per scheme."""

from __future__ import annotations

from backend.risk.aml import Deposit, RapidInOutRule, Rule, rapid_in_out

from .history import ALICE, BOB, DAY, HOUR, MINUTE, T0, UNIT, deposit, trade, withdrawal

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
    assert finding.evidence["deposits"] == [finding.evidence["deposit"]]  # a single deposit: the anchor alone
    assert finding.evidence["deposited"] == str(10_000 * UNIT)
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


def split(count: int, value: int, start: int, first_ref: int = 0) -> list[Deposit]:
    """`count` deposits of `value` by Alice, a minute apart from `start`, refs counting from `first_ref`."""
    return [deposit(str(first_ref + i), value, start + i * MINUTE) for i in range(count)]


def test_one_amount_split_into_deposits_under_the_minimum_matches_once_with_every_deposit() -> None:
    deposits = split(19, 999 * UNIT, T0)  # 18,981 in, no deposit reaching the 1,000 minimum
    [finding] = rapid_in_out(deposits, [withdrawal("w1", 18_900 * UNIT, T0 + 2 * HOUR)], [], RULE)
    assert finding.key == f"{ALICE}:0"  # the first deposit anchors the scheme
    assert finding.evidence["deposit"]["id"] == "0"
    assert [d["id"] for d in finding.evidence["deposits"]] == [str(i) for i in range(19)]
    assert finding.evidence["deposited"] == str(19 * 999 * UNIT)
    assert finding.refs == {f"deposit:{i}" for i in range(19)} | {"withdrawal:w1"}
    assert finding.message.startswith(f"{ALICE} withdrew {18_900 * UNIT} of 19 deposits worth {19 * 999 * UNIT} ")


def test_split_deposits_under_the_minimum_together_do_not_match_and_exactly_the_minimum_does() -> None:
    out = [withdrawal("w1", 1_000 * UNIT, T0 + HOUR)]
    assert rapid_in_out(split(2, 500 * UNIT - 1, T0), out, [], RULE) == []
    assert rapid_in_out(split(2, 500 * UNIT, T0), out, [], RULE)


def test_split_deposits_with_a_fifth_of_them_traded_in_between_do_not_match() -> None:
    deposits, out = split(19, 999 * UNIT, T0), [withdrawal("w1", 18_900 * UNIT, T0 + 2 * HOUR)]
    fifth = 19 * 999 * UNIT // 5
    assert rapid_in_out(deposits, out, [trade(1, ALICE, BOB, fifth, T0 + HOUR)], RULE) == []
    assert rapid_in_out(deposits, out, [trade(1, ALICE, BOB, fifth - 1, T0 + HOUR)], RULE)


def test_two_schemes_a_window_apart_are_two_findings() -> None:
    later = T0 + DAY + HOUR
    deposits = split(19, 999 * UNIT, T0) + split(19, 999 * UNIT, later, first_ref=100)
    withdrawals = [withdrawal("w1", 18_900 * UNIT, T0 + 2 * HOUR), withdrawal("w2", 18_900 * UNIT, later + 2 * HOUR)]
    first, second = rapid_in_out(deposits, withdrawals, [], RULE)
    assert (first.key, second.key) == (f"{ALICE}:0", f"{ALICE}:100")
    assert [d["id"] for d in second.evidence["deposits"]] == [str(100 + i) for i in range(19)]
    assert [w["id"] for w in second.evidence["withdrawals"]] == ["w2"]


def test_a_deposit_counts_before_a_withdrawal_of_the_same_millisecond() -> None:
    deposits = [deposit("1", 999 * UNIT, T0), deposit("2", 999 * UNIT, T0 + HOUR)]
    [finding] = rapid_in_out(deposits, [withdrawal("w1", 1_998 * UNIT, T0 + HOUR)], [], RULE)
    assert [d["id"] for d in finding.evidence["deposits"]] == ["1", "2"]


def test_money_parked_after_a_deposit_does_not_hide_it_nor_join_its_finding() -> None:
    """10,000 in and out again, with 50,000 deposited in between and left in: the 10,000 still matches, as it did
    when each deposit was judged alone."""
    deposits = [deposit("1", 10_000 * UNIT, T0), deposit("2", 50_000 * UNIT, T0 + MINUTE)]
    [finding] = rapid_in_out(deposits, [withdrawal("w1", 10_000 * UNIT, T0 + HOUR)], [], RULE)
    assert (finding.key, [d["id"] for d in finding.evidence["deposits"]]) == (f"{ALICE}:1", ["1"])


def test_a_withdrawal_backs_one_finding_only() -> None:
    """8,000 out after two deposits of 10,000 is 80 % of the first: one finding, not one more for the second
    deposit with the same 8,000."""
    deposits = [deposit("1", 10_000 * UNIT, T0), deposit("2", 10_000 * UNIT, T0 + MINUTE)]
    [finding] = rapid_in_out(deposits, [withdrawal("w1", 8_000 * UNIT, T0 + HOUR)], [], RULE)
    assert finding.refs == {"deposit:1", "withdrawal:w1"}
