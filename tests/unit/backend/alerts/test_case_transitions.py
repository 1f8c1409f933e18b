"""Which moves a case may make: open -> investigating -> escalated -> closed, escalated back to
investigating, closed reopened to open; closing and reopening need a reason; anything else is refused."""

from __future__ import annotations

import pytest

from backend.alerts.cases import STATUSES, TRANSITIONS, check_transition
from backend.errors import ErrorCode, HdexError

ALLOWED = [
    ("open", "investigating"),
    ("open", "escalated"),
    ("open", "closed"),
    ("investigating", "escalated"),
    ("investigating", "closed"),
    ("escalated", "investigating"),
    ("escalated", "closed"),
    ("closed", "open"),
]


def refusal(current: str, wanted: str, reason: str | None) -> tuple[ErrorCode, str | None]:
    with pytest.raises(HdexError) as refused:
        check_transition(current, wanted, reason)
    return refused.value.code, refused.value.field


@pytest.mark.parametrize(("current", "wanted"), ALLOWED)
def test_each_documented_move_is_allowed_with_a_reason(current: str, wanted: str) -> None:
    check_transition(current, wanted, "because")


@pytest.mark.parametrize(
    ("current", "wanted"),
    [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in ALLOWED],
)
def test_every_other_move_including_staying_put_is_an_invalid_transition(current: str, wanted: str) -> None:
    assert refusal(current, wanted, "because") == (ErrorCode.CASE_TRANSITION_INVALID, "status")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_closing_without_a_reason_is_refused(reason: str | None) -> None:
    for current in ("open", "investigating", "escalated"):
        assert refusal(current, "closed", reason) == (ErrorCode.CASE_TRANSITION_INVALID, "reason")


def test_reopening_a_closed_case_needs_a_reason_but_escalating_does_not() -> None:
    assert refusal("closed", "open", None) == (ErrorCode.CASE_TRANSITION_INVALID, "reason")
    check_transition("investigating", "escalated", None)
    check_transition("escalated", "investigating", None)


def test_an_unknown_status_is_an_invalid_field() -> None:
    assert refusal("open", "resolved", "r") == (ErrorCode.INVALID_FIELD, "status")


def test_a_closed_case_can_only_be_reopened() -> None:
    assert TRANSITIONS["closed"] == frozenset({"open"})
