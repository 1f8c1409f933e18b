"""Wash trading: two wallets that trade with each other repeatedly and share funding match; trading without
a funding link, or too rarely, does not."""

from __future__ import annotations

from backend.risk.aml import Rule, WashTradingRule, wash_trading

from .history import ALICE, BOB, CAROL, DAVE, DAY, HOUR, T0, UNIT, funding, trade

RULE = WashTradingRule(window_ms=DAY, min_trades=3)
TRADES = [trade(1, ALICE, BOB, 500 * UNIT, T0), trade(2, BOB, ALICE, 500 * UNIT, T0 + HOUR),
          trade(3, ALICE, BOB, 500 * UNIT, T0 + 2 * HOUR)]  # fmt: skip


def test_wallets_funded_by_one_address_that_trade_together_three_times_match() -> None:
    fundings = [funding(CAROL, ALICE, "0xf1"), funding(CAROL, BOB, "0xf2")]
    [finding] = wash_trading(TRADES, fundings, RULE)
    pair = tuple(sorted((ALICE, BOB)))
    assert (finding.rule, finding.wallets, finding.key) == (Rule.WASH_TRADING, pair, f"{pair[0]}:{pair[1]}:1")
    assert [f["id"] for f in finding.evidence["fills"]] == [1, 2, 3]
    assert finding.evidence["links"] == [
        {"kind": "common_funder", "funder": CAROL, "evidence": ["withdrawal:0xf1", "withdrawal:0xf2"]}
    ]
    assert finding.evidence["volume"] == str(1_500 * UNIT)
    assert finding.refs == {"fill:1", "fill:2", "fill:3", "withdrawal:0xf1", "withdrawal:0xf2"}


def test_a_wallet_that_funded_the_other_is_a_link() -> None:
    [finding] = wash_trading(TRADES, [funding(ALICE, BOB, "0xf1")], RULE)
    assert finding.evidence["links"] == [
        {"kind": "funded", "funder": ALICE, "wallet": BOB, "evidence": ["withdrawal:0xf1"]}
    ]


def test_trading_together_without_a_funding_link_does_not_match() -> None:
    unrelated = [funding(CAROL, ALICE, "0xf1"), funding(DAVE, BOB, "0xf2")]
    assert wash_trading(TRADES, unrelated, RULE) == []


def test_two_trades_or_three_spread_over_more_than_the_window_do_not_match() -> None:
    fundings = [funding(ALICE, BOB, "0xf1")]
    assert wash_trading(TRADES[:2], fundings, RULE) == []
    spread = [*TRADES[:2], trade(3, ALICE, BOB, 500 * UNIT, T0 + DAY + 1)]
    assert wash_trading(spread, fundings, RULE) == []
    assert wash_trading([*TRADES[:2], trade(3, ALICE, BOB, 500 * UNIT, T0 + DAY)], fundings, RULE)


def test_trades_with_third_parties_do_not_count_for_the_pair() -> None:
    fundings = [funding(CAROL, ALICE, "0xf1"), funding(CAROL, BOB, "0xf2")]
    mixed = [*TRADES[:2], trade(3, ALICE, DAVE, 500 * UNIT, T0 + 2 * HOUR)]
    assert wash_trading(mixed, fundings, RULE) == []
