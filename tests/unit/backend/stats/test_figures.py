"""The rollups' arithmetic: a market's day from its fills, active wallets over windows, retention cohorts, CSV."""

from __future__ import annotations

import csv
import io

from backend.stats.export import to_csv
from backend.stats.figures import FillRow, active_over, cohorts, market_day

A, B, C = "0xA", "0xB", "0xC"


def fill(maker: str, taker: str, maker_side: int, base: int, quote: int, maker_fee: int, taker_fee: int,
         status: str = "settled") -> FillRow:  # fmt: skip
    return FillRow(maker, taker, maker_side, base, quote, maker_fee, taker_fee, status)


def test_a_market_day_splits_volume_by_taker_side_and_fees_by_role_and_token() -> None:
    figures = market_day([
        fill(A, B, 1, 10, 300, 3, 1),  # maker sells: the taker buys 10; the maker's fee in quote, the taker's in base
        fill(B, C, 0, 4, 120, 2, 5),  # maker buys: the taker sells 4; the maker's fee in base, the taker's in quote
        fill(A, C, 1, 2**200, 2**201, 0, 0),  # beyond any float
    ])  # fmt: skip
    assert (figures.trades, figures.traders, figures.failed_trades) == (3, 3, 0)
    assert (figures.base_volume, figures.quote_volume) == (14 + 2**200, 420 + 2**201)
    assert (figures.taker_buy_base, figures.taker_sell_base) == (10 + 2**200, 4)
    assert (figures.maker_fee_base, figures.maker_fee_quote, figures.taker_fee_base, figures.taker_fee_quote) == (
        2,
        3,
        1,
        5,
    )


def test_a_fill_whose_settlement_failed_is_counted_but_moves_nothing() -> None:
    figures = market_day([fill(A, B, 1, 10, 300, 3, 1, status="failed")])
    assert (figures.trades, figures.traders, figures.base_volume, figures.failed_trades) == (0, 0, 0, 1)
    assert not figures.empty
    assert market_day([]).empty


def test_active_wallets_count_each_wallet_once_per_window() -> None:
    active = {"2026-12-01": {A, B}, "2026-12-02": {A}, "2026-12-08": {C}}
    days = ["2026-12-02", "2026-12-08", "2026-12-09"]
    assert active_over(days, active, 1) == {"2026-12-02": 1, "2026-12-08": 1, "2026-12-09": 0}
    assert active_over(days, active, 7) == {"2026-12-02": 2, "2026-12-08": 2, "2026-12-09": 1}
    assert active_over(days, active, 30) == {"2026-12-02": 2, "2026-12-08": 3, "2026-12-09": 3}


def test_cohorts_group_wallets_by_the_week_of_their_first_trade_and_count_who_trades_in_later_weeks() -> None:
    first = {A: "2026-11-30", B: "2026-12-03", C: "2026-12-08"}
    trading = [(A, "2026-11-30"), (B, "2026-12-03"), (A, "2026-12-09"), (C, "2026-12-08"), (A, "2026-12-10")]
    result = cohorts(first, trading, "2026-12-10")
    assert [(c.week, c.size, c.retained) for c in result] == [("2026-11-30", 2, [2, 1]), ("2026-12-07", 1, [1])]


def test_csv_has_a_header_flattens_lists_and_parses_back() -> None:
    text = to_csv(
        [{"week": "2026-11-30", "size": 2, "retained": [2, 1]}, {"week": "2026-12-07", "size": 1, "retained": [1]}]
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [
        {"week": "2026-11-30", "size": "2", "retained_0": "2", "retained_1": "1"},
        {"week": "2026-12-07", "size": "1", "retained_0": "1", "retained_1": ""},
    ]
    assert to_csv([], ["day", "trades"]) == "day,trades\r\n"
    assert to_csv([{"a": None, "b": "=1+1"}]) == "a,b\r\n,'=1+1\r\n"


def test_csv_makes_would_be_formulas_text_and_leaves_negative_amounts_numbers() -> None:
    cells = {"a": "+1", "b": "-A1", "c": "@SUM(A1)", "d": "-5", "e": "5", "f": "", "g": -7, "h": ["=x", "-2"]}
    assert list(csv.reader(io.StringIO(to_csv([cells]))))[1] == ["'+1", "'-A1", "'@SUM(A1)", "-5", "5", "", "-7",
                                                                 "'=x", "-2"]  # fmt: skip


def test_csv_makes_a_formula_that_starts_like_a_negative_number_text() -> None:
    cells = {"a": "-1+HYPERLINK(\"https://evil.example\")", "b": "-2.5", "c": "-3e5"}
    assert list(csv.reader(io.StringIO(to_csv([cells]))))[1] == ["'-1+HYPERLINK(\"https://evil.example\")", "-2.5",
                                                                 "'-3e5"]  # fmt: skip


def test_csv_makes_a_cell_led_by_a_tab_or_carriage_return_text() -> None:
    """Spreadsheets drop a leading tab or carriage return and then read the rest, a formula too (OWASP's list)."""
    cells = {"a": "\t=1+1", "b": "\r@SUM(A1)"}
    assert list(csv.reader(io.StringIO(to_csv([cells]))))[1] == ["'\t=1+1", "'\r@SUM(A1)"]
