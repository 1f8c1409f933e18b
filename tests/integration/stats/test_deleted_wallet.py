"""A wallet's deletion request takes its behaviour events out of the rollups at the next pass: the days it was
active only by them and its first connection and sign-in go, from the wallet and the user days, whatever it
does next; its trades stay (they are the exchange's records), and the figures equal a rebuild's (SQLite and
PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from backend.accounts.privacy import request_deletion
from backend.db.models import StatsWallet, StatsWalletDay
from backend.stats import queries
from backend.stats.days import DayRange, day_start_ms
from backend.stats.rollup import rebuild
from backend.storage import LocalFolderStore

from .expected import rollups
from .raw_rows import WALLETS, RawDatabase, add_event, add_fill, raw_database

FIRST, TRADING, LATER = "2026-12-01", "2026-12-03", "2026-12-05"


def _ask_for_deletion(db: RawDatabase, tmp_path: Path, wallet: str, at_ms: int) -> None:
    with db.session() as session:
        request_deletion(
            session, LocalFolderStore(tmp_path), wallet, 1825, now_ms=at_ms, travel_rule_retention_days=1825
        )


def _wallet(db: RawDatabase, wallet: str) -> tuple[tuple[int | None, ...] | None, set[str]]:
    with db.session() as session:
        row = session.get(StatsWallet, wallet)
        days = set(session.scalars(select(StatsWalletDay.day).where(StatsWalletDay.wallet == wallet)))
    times = None if row is None else (row.first_seen_ms, row.connected_ms, row.signed_in_ms, row.traded_ms)
    return times, days


def test_a_deletion_request_takes_the_wallets_events_out_of_the_rollups_and_keeps_its_trades(
    database_url: str, tmp_path: Path
) -> None:
    leaving, trader, other = WALLETS[0], WALLETS[1], WALLETS[2]
    start, traded_at = day_start_ms(FIRST), day_start_ms(TRADING) + 1_000
    with raw_database(database_url) as db:
        with db.session() as session:
            for wallet in (leaving, trader):
                add_event(session, wallet, start + 1_000)
                add_event(session, wallet, start + 2_000, event="signed_in")
            add_fill(session, 1, traded_at, trader, other)
        db.roll_up()
        _ask_for_deletion(db, tmp_path, leaving, start + 10_000)
        _ask_for_deletion(db, tmp_path, trader, start + 10_000)
        db.roll_up()
        assert _wallet(db, leaving) == (None, set())
        assert _wallet(db, trader) == ((traded_at, None, None, traded_at), {TRADING})
        with db.session() as session:
            first_day = queries.users(session, DayRange(FIRST, FIRST))[0]
        assert (first_day["newWallets"], first_day["dau"], first_day["connected"], first_day["signedIn"]) == (
            0,
            0,
            0,
            0,
        )

        with db.session() as session:  # its next activity, days later, brings back none of it
            add_fill(session, 2, day_start_ms(LATER), leaving, other)
        db.roll_up()
        assert _wallet(db, leaving) == ((day_start_ms(LATER), None, None, day_start_ms(LATER)), {LATER})
        with db.session() as session:
            incremental = rollups(session)
            rebuild(session)
            assert rollups(session) == incremental
