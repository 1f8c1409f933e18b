"""The support desk's rules, with no I/O: ticket categories and states, the moves between states, and the
durations and daily figures the desk reports.

States and the moves staff make (anything else is TICKET_TRANSITION_INVALID):

    open             -> waiting_for_user | resolved | closed
    waiting_for_user -> open | resolved | closed
    resolved         -> open | closed
    closed           -> open (reopened)

The wallet itself may close its ticket from any state but closed, and its reply reopens a ticket that is
waiting for it or resolved (a reply on an open one keeps it open; a closed ticket takes no reply).

Time to first response: from opening to the first public staff reply (internal notes do not count). Time to
resolution: from opening to the first move into resolved or closed (resolved, then closed keeps the
resolution time; a reopened ticket has none until it is resolved again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from backend.errors import ErrorCode, HdexError

Category = Literal["account", "deposit", "withdrawal", "trading", "kyc", "other"]
Status = Literal["open", "waiting_for_user", "resolved", "closed"]
OPEN, WAITING, RESOLVED, CLOSED = "open", "waiting_for_user", "resolved", "closed"
STATUSES: tuple[str, ...] = get_args(Status)
CATEGORIES: tuple[str, ...] = get_args(Category)
STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({WAITING, RESOLVED, CLOSED}),
    WAITING: frozenset({OPEN, RESOLVED, CLOSED}),
    RESOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset({OPEN}),
}
RESOLVING = frozenset({RESOLVED, CLOSED})
DAY_MS = 86_400_000
MAX_STATS_DAYS = 366  # the longest range of daily figures one request reads


def check_status(status: str) -> str:
    """`status` if it is a ticket state, else INVALID_FIELD on "status"."""
    if status not in STATUSES:
        raise HdexError(ErrorCode.INVALID_FIELD, f"status is one of {', '.join(STATUSES)}", "status")
    return status


def check_category(category: str) -> str:
    """`category` if it is one of CATEGORIES, else INVALID_FIELD on "category"."""
    if category not in CATEGORIES:
        raise HdexError(ErrorCode.INVALID_FIELD, f"category is one of {', '.join(CATEGORIES)}", "category")
    return category


def check_staff_transition(current: str, wanted: str) -> None:
    """TICKET_TRANSITION_INVALID unless staff may move a ticket from `current` to `wanted`."""
    check_status(wanted)
    if wanted not in STAFF_TRANSITIONS[current]:
        allowed = ", ".join(sorted(STAFF_TRANSITIONS[current]))
        raise HdexError(
            ErrorCode.TICKET_TRANSITION_INVALID, f"a ticket that is {current} can move to {allowed}, not {wanted}",
            "status",
        )  # fmt: skip


def check_user_close(current: str) -> None:
    """TICKET_TRANSITION_INVALID if the ticket is closed already."""
    if current == CLOSED:
        raise HdexError(ErrorCode.TICKET_TRANSITION_INVALID, "the ticket is closed already", "status")


def after_user_reply(current: str) -> str:
    """The state a ticket in `current` takes when its wallet replies; TICKET_CLOSED if it is closed."""
    if current == CLOSED:
        raise HdexError(ErrorCode.TICKET_CLOSED, "the ticket is closed: open a new one")
    return OPEN


def resolved_at_after(current_resolved_at_ms: int | None, wanted: str, now_ms: int) -> int | None:
    """A ticket's resolution time after a move into `wanted` at `now_ms`: set on the first move into resolved
    or closed (resolved then closed keeps the resolution time), cleared when it reopens."""
    if wanted in RESOLVING:
        return current_resolved_at_ms if current_resolved_at_ms is not None else now_ms
    return None


def duration_ms(start_ms: int, end_ms: int | None) -> int | None:
    """`end_ms - start_ms`, or None while there is no end."""
    return None if end_ms is None else max(0, end_ms - start_ms)


def median(values: Iterable[int]) -> int | None:
    """The median of `values` in whole ms (the lower middle's mean, rounded down, for an even count); None
    for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) // 2


@dataclass(frozen=True, slots=True)
class TicketTimes:
    """What the daily figures need of one ticket."""

    created_at_ms: int
    first_response_at_ms: int | None
    resolved_at_ms: int | None


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One UTC day: tickets opened and resolved that day, and the median times of the tickets first answered
    and resolved that day (None when there were none)."""

    day: dt.date
    opened: int
    resolved: int
    median_first_response_ms: int | None
    median_resolution_ms: int | None


def day_range_ms(first: dt.date, last: dt.date) -> tuple[int, int]:
    """The epoch-ms interval [start, end) of the UTC days `first` to `last` inclusive (a range the door
    checked: backend.stats.days.parse_range)."""
    start = int(dt.datetime.combine(first, dt.time(), dt.UTC).timestamp() * 1000)
    return start, start + ((last - first).days + 1) * DAY_MS


def daily_figures(tickets: Iterable[TicketTimes], first: dt.date, last: dt.date) -> list[DayFigures]:
    """The figures of each UTC day from `first` to `last` inclusive, oldest first. A ticket counts as opened
    on the day it was opened, as answered on the day of its first response and as resolved on the day of its
    resolution; the medians are over the tickets answered / resolved that day."""
    start, end = day_range_ms(first, last)
    days = (end - start) // DAY_MS
    opened = [0] * days
    answered: list[list[int]] = [[] for _ in range(days)]
    resolved: list[list[int]] = [[] for _ in range(days)]

    def index(at_ms: int | None) -> int | None:
        return None if at_ms is None or not start <= at_ms < end else (at_ms - start) // DAY_MS

    for ticket in tickets:
        if (day := index(ticket.created_at_ms)) is not None:
            opened[day] += 1
        if (day := index(ticket.first_response_at_ms)) is not None and ticket.first_response_at_ms is not None:
            answered[day].append(ticket.first_response_at_ms - ticket.created_at_ms)
        if (day := index(ticket.resolved_at_ms)) is not None and ticket.resolved_at_ms is not None:
            resolved[day].append(ticket.resolved_at_ms - ticket.created_at_ms)
    return [
        DayFigures(first + dt.timedelta(days=i), opened[i], len(resolved[i]), median(answered[i]), median(resolved[i]))
        for i in range(days)
    ]
