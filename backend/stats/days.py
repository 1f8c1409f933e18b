"""UTC days as the rollups name them (`YYYY-MM-DD`), their bounds in epoch ms, ISO weeks, and date ranges.

Pure: no I/O. A range from a door is checked here once, so every door refuses the same bad input alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from backend.errors import ErrorCode, HdexError

DAY_MS = 86_400_000
MAX_RANGE_DAYS = 731  # two years of days per request or export
DEFAULT_RANGE_DAYS = 30


def day_of(ms: int) -> str:
    """The UTC day of an epoch-ms instant."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


def day_start_ms(day: str) -> int:
    """The first ms of a UTC day."""
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)
    return int(start.timestamp()) * 1000


def day_bounds(day: str) -> tuple[int, int]:
    """[start, end) of a UTC day in epoch ms."""
    start = day_start_ms(day)
    return start, start + DAY_MS


def add_days(day: str, days: int) -> str:
    """`days` days after `day` (before, if negative); no earlier than the first date there is, nor later than the
    last (a range's lookback from 0001-01-01 finds no earlier day)."""
    start = date.fromisoformat(day)
    try:
        return (start + timedelta(days=days)).isoformat()
    except OverflowError:
        return (date.min if days < 0 else date.max).isoformat()


def week_of(day: str) -> str:
    """The Monday (ISO week start) of a day's week, as a day."""
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def datetime_ms(value: datetime) -> int:
    """Epoch ms of a stored DateTime (SQLite's CURRENT_TIMESTAMP comes back without a zone, and is UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class DayRange:
    """An inclusive range of UTC days."""

    first: str
    last: str

    def days(self) -> Iterator[str]:
        # counted, not stepped past `last`: the day after 9999-12-31 does not exist
        for offset in range(self.length):
            yield add_days(self.first, offset)

    @property
    def length(self) -> int:
        return (date.fromisoformat(self.last) - date.fromisoformat(self.first)).days + 1


def _parse_day(value: str, field: str) -> str:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise HdexError(ErrorCode.STATS_RANGE_INVALID, f"{field} must be a date like 2026-12-31", field) from None
    if len(value) != 10 or parsed.isoformat() != value:
        raise HdexError(ErrorCode.STATS_RANGE_INVALID, f"{field} must be a date like 2026-12-31", field)
    return value


def parse_range(first: str | None, last: str | None, today: str, max_days: int = MAX_RANGE_DAYS) -> DayRange:
    """The range `from`..`to` of a request: both ISO dates, `from` <= `to`, at most `max_days` days; `to`
    defaults to today and `from` to DEFAULT_RANGE_DAYS days before `to`. STATS_RANGE_INVALID otherwise."""
    last_day = today if last is None else _parse_day(last, "to")
    if first is not None:
        first_day = _parse_day(first, "from")
    elif last_day < add_days(date.min.isoformat(), DEFAULT_RANGE_DAYS - 1):
        raise HdexError(ErrorCode.STATS_RANGE_INVALID, f"to ({last_day}) leaves no room for the default from", "to")
    else:
        first_day = add_days(last_day, 1 - DEFAULT_RANGE_DAYS)
    if first_day > last_day:
        raise HdexError(ErrorCode.STATS_RANGE_INVALID, f"from ({first_day}) is after to ({last_day})", "from")
    result = DayRange(first_day, last_day)
    if result.length > max_days:
        message = f"a range spans at most {max_days} days, this one {result.length}"
        raise HdexError(ErrorCode.STATS_RANGE_INVALID, message, "from")
    return result
