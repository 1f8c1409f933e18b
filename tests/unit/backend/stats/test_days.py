"""UTC days, weeks and the ranges every statistics door accepts."""

from __future__ import annotations

import pytest

from backend.errors import ErrorCode, HdexError
from backend.stats.days import MAX_RANGE_DAYS, add_days, day_bounds, day_of, parse_range, week_of


def test_a_day_is_the_utc_date_of_an_instant_and_its_bounds_hold_exactly_its_milliseconds() -> None:
    start, end = day_bounds("2026-12-02")
    assert (day_of(start), day_of(end - 1), day_of(end), day_of(start - 1)) == (
        "2026-12-02", "2026-12-02", "2026-12-03", "2026-12-01",
    )  # fmt: skip
    assert end - start == 86_400_000


def test_weeks_start_on_monday() -> None:
    assert [week_of(d) for d in ("2026-11-30", "2026-12-02", "2026-12-06", "2026-12-07")] == [
        "2026-11-30", "2026-11-30", "2026-11-30", "2026-12-07",
    ]  # fmt: skip
    assert add_days("2026-12-31", 1) == "2027-01-01"


def test_a_range_defaults_to_the_last_thirty_days_up_to_today() -> None:
    days = parse_range(None, None, "2026-12-02")
    assert (days.first, days.last, days.length) == ("2026-11-03", "2026-12-02", 30)
    assert list(parse_range("2026-02-27", "2026-03-01", "2026-12-02").days()) == [
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
    ]


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-02-30", None, "from"),
        ("2026-1-5", None, "from"),
        ("20261205", None, "from"),
        (None, "today", "to"),
        ("2026-12-03", "2026-12-02", "from"),
        (add_days("2026-12-02", -MAX_RANGE_DAYS), "2026-12-02", "from"),
    ],
)
def test_a_bad_range_is_refused_with_the_field_at_fault(first: str | None, last: str | None, field: str) -> None:
    with pytest.raises(HdexError) as refused:
        parse_range(first, last, "2026-12-02")
    assert (refused.value.code, refused.value.field) == (ErrorCode.STATS_RANGE_INVALID, field)


def test_the_longest_range_allowed_is_accepted() -> None:
    assert parse_range(add_days("2026-12-02", 1 - MAX_RANGE_DAYS), "2026-12-02", "2026-12-02").length == MAX_RANGE_DAYS


def test_days_before_the_first_date_or_after_the_last_are_that_date() -> None:
    """The users table reads 29 days before its range (a month's active wallets): from 0001-01-01 that overflowed
    (500) instead of finding no earlier day."""
    assert add_days("0001-01-10", -29) == "0001-01-01"
    assert add_days("9999-12-30", 5) == "9999-12-31"
    assert add_days("2026-03-01", -1) == "2026-02-28"
