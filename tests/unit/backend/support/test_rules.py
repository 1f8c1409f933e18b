"""The desk's pure rules: which status moves exist for staff and for the wallet, how the resolution time
follows them, and the durations and daily figures reported."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.errors import ErrorCode, HdexError
from backend.support import rules
from backend.support.rules import CLOSED, OPEN, RESOLVED, WAITING, TicketTimes

HOUR = 3_600_000
DAY = dt.date(2026, 3, 2)
START = int(dt.datetime(2026, 3, 2, tzinfo=dt.UTC).timestamp() * 1000)

ALLOWED = {
    (OPEN, WAITING), (OPEN, RESOLVED), (OPEN, CLOSED),
    (WAITING, OPEN), (WAITING, RESOLVED), (WAITING, CLOSED),
    (RESOLVED, OPEN), (RESOLVED, CLOSED),
    (CLOSED, OPEN),
}  # fmt: skip


@pytest.mark.parametrize("current", rules.STATUSES)
@pytest.mark.parametrize("wanted", rules.STATUSES)
def test_staff_make_exactly_the_documented_moves(current: str, wanted: str) -> None:
    if (current, wanted) in ALLOWED:
        rules.check_staff_transition(current, wanted)
    else:
        with pytest.raises(HdexError) as refused:
            rules.check_staff_transition(current, wanted)
        assert refused.value.code is ErrorCode.TICKET_TRANSITION_INVALID and refused.value.field == "status"


def test_an_unknown_status_is_an_invalid_field_not_a_move() -> None:
    with pytest.raises(HdexError) as refused:
        rules.check_staff_transition(OPEN, "escalated")
    assert refused.value.code is ErrorCode.INVALID_FIELD


@pytest.mark.parametrize("current", [OPEN, WAITING, RESOLVED])
def test_a_users_reply_leaves_the_ticket_open(current: str) -> None:
    assert rules.after_user_reply(current) == OPEN


def test_a_closed_ticket_takes_no_reply_and_cannot_be_closed_again() -> None:
    with pytest.raises(HdexError) as reply:
        rules.after_user_reply(CLOSED)
    assert reply.value.code is ErrorCode.TICKET_CLOSED
    with pytest.raises(HdexError) as close:
        rules.check_user_close(CLOSED)
    assert close.value.code is ErrorCode.TICKET_TRANSITION_INVALID
    for current in (OPEN, WAITING, RESOLVED):
        rules.check_user_close(current)


def test_the_resolution_time_is_set_on_the_first_resolving_move_and_cleared_on_reopening() -> None:
    assert rules.resolved_at_after(None, RESOLVED, 10) == 10
    assert rules.resolved_at_after(10, CLOSED, 20) == 10  # resolved, then closed: resolved at 10
    assert rules.resolved_at_after(None, CLOSED, 20) == 20
    assert rules.resolved_at_after(10, OPEN, 30) is None
    assert rules.resolved_at_after(None, WAITING, 30) is None


def test_durations_and_medians() -> None:
    assert rules.duration_ms(100, None) is None
    assert rules.duration_ms(100, 350) == 250
    assert rules.median([]) is None
    assert rules.median([5]) == 5
    assert rules.median([9, 1, 5]) == 5
    assert rules.median([1, 2, 4, 10]) == 3
    assert rules.median([1, 2]) == 1  # 1.5 rounded down: whole milliseconds


def test_a_category_is_one_of_the_fixed_list() -> None:
    assert rules.check_category("kyc") == "kyc"
    with pytest.raises(HdexError) as refused:
        rules.check_category("Deposit")
    assert refused.value.code is ErrorCode.INVALID_FIELD and refused.value.field == "category"


def test_daily_figures_count_each_event_on_its_own_day() -> None:
    tickets = [
        TicketTimes(START + 1 * HOUR, START + 3 * HOUR, START + 5 * HOUR),  # all on day 1
        TicketTimes(START + 2 * HOUR, START + 7 * HOUR, START + 30 * HOUR),  # resolved on day 2
        TicketTimes(START + 23 * HOUR, START + 25 * HOUR, None),  # answered on day 2, unresolved
        TicketTimes(START - 2 * HOUR, START + 1 * HOUR, None),  # opened the day before the range
        TicketTimes(START + 50 * HOUR, None, None),  # opened after the range
    ]
    figures = rules.daily_figures(tickets, DAY, DAY + dt.timedelta(days=1))
    assert figures == [
        rules.DayFigures(DAY, 3, 1, rules.median([2 * HOUR, 5 * HOUR, 3 * HOUR]), 4 * HOUR),
        rules.DayFigures(DAY + dt.timedelta(days=1), 0, 1, 2 * HOUR, 28 * HOUR),
    ]


def test_a_day_range_is_whole_utc_days() -> None:
    assert rules.day_range_ms(DAY, DAY) == (START, START + rules.DAY_MS)
    assert len(rules.daily_figures([], DAY, DAY + dt.timedelta(days=rules.MAX_STATS_DAYS - 1))) == 366
