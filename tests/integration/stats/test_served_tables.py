"""What the tables serve of the rollups: a retention cohort is its whole week even when the range starts after
its Monday, and a market day whose every fill failed settlement is absent, as a day without trades (SQLite and
PostgreSQL)."""

from __future__ import annotations

from backend.stats import queries
from backend.stats.days import DayRange, day_start_ms

from .raw_rows import WALLETS, add_fill, raw_database

MONDAY, WEDNESDAY, NEXT_WEEK, WEEK_AFTER = "2026-11-30", "2026-12-02", "2026-12-08", "2026-12-15"


def test_a_range_starting_mid_week_shows_that_weeks_cohort_whole(database_url: str) -> None:
    monday_trader, wednesday_trader, counterparty = WALLETS[0], WALLETS[1], WALLETS[2]
    with raw_database(database_url) as db:
        with db.session() as session:
            add_fill(session, 1, day_start_ms(MONDAY) + 1_000, monday_trader, counterparty)
            add_fill(session, 2, day_start_ms(WEDNESDAY) + 1_000, wednesday_trader, counterparty)
            add_fill(session, 3, day_start_ms(NEXT_WEEK) + 1_000, monday_trader, counterparty)
            add_fill(session, 4, day_start_ms(WEEK_AFTER) + 1_000, wednesday_trader, counterparty)
        db.roll_up()
        with db.session() as session:
            from_monday = queries.cohorts_table(session, DayRange(MONDAY, WEEK_AFTER))
            from_wednesday = queries.cohorts_table(session, DayRange(WEDNESDAY, WEEK_AFTER))
    assert from_monday == [{"week": MONDAY, "size": 3, "retained": [3, 2, 2]}]
    assert from_wednesday == from_monday


def test_a_market_day_whose_only_fill_failed_is_absent_from_the_markets_volume_and_fees(database_url: str) -> None:
    with raw_database(database_url) as db:
        with db.session() as session:
            add_fill(session, 1, day_start_ms(MONDAY) + 1_000, WALLETS[0], WALLETS[1], status="failed")
            add_fill(session, 2, day_start_ms(WEDNESDAY) + 1_000, WALLETS[0], WALLETS[1])
        db.roll_up()
        with db.session() as session:
            served = {
                name: queries.TABLES[name](session, DayRange(MONDAY, WEDNESDAY))
                for name in ("markets", "volume", "fees")
            }
    assert {name: {row["day"] for row in rows} for name, rows in served.items()} == {
        "markets": {WEDNESDAY},
        "volume": {WEDNESDAY},
        "fees": {WEDNESDAY},
    }
