"""Wall-clock helpers for tests that compare rows of "today" (UTC) with what they just made."""

from __future__ import annotations

import time

DAY_MS = 86_400_000
MIDNIGHT_MARGIN_MS = 120_000  # longer than any such test takes


def start_within_one_utc_day() -> None:
    """A test that would start within two minutes of UTC midnight starts after it instead, so the trades it makes
    and the "today" it then reads are the same day (waits at most the margin, and only in that window)."""
    to_midnight = DAY_MS - time.time_ns() // 1_000_000 % DAY_MS
    if to_midnight < MIDNIGHT_MARGIN_MS:
        time.sleep(to_midnight / 1000 + 0.5)
