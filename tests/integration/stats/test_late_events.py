"""Behaviour events reach the rollups however their writers' commits interleave with the passes: an event whose
id was handed out before another's but committed after a pass read that one, an event taking the id of one a
deletion request deleted (SQLite), a sign-in copied after a later event was read; and a pass passes over the
events the rollups already hold (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from backend.accounts.privacy import request_deletion
from backend.db.models import StatsWallet, StatsWalletDay, WalletSession
from backend.stats.days import day_start_ms
from backend.storage import LocalFolderStore

from .raw_rows import WALLETS, RawDatabase, add_event, raw_database

DAY = "2026-12-01"
START = day_start_ms(DAY)


def _connected(db: RawDatabase) -> dict[str, int | None]:
    with db.session() as session:
        return {row.wallet: row.connected_ms for row in session.scalars(select(StatsWallet))}


def _active(db: RawDatabase) -> set[tuple[str, str]]:
    with db.session() as session:
        return {(wallet, day) for wallet, day in session.execute(select(StatsWalletDay.wallet, StatsWalletDay.day))}


def test_an_event_committed_after_a_pass_read_one_with_a_higher_id_is_rolled_up(database_url: str) -> None:
    early, late = WALLETS[0], WALLETS[1]
    with raw_database(database_url) as db:
        with db.session() as session:
            add_event(session, late, START + 2_000, event_id=11)
        db.roll_up()
        with db.session() as session:  # id 10 was handed out first; its request commits only now
            add_event(session, early, START + 1_000, event_id=10)
        db.roll_up()
        assert _connected(db) == {early: START + 1_000, late: START + 2_000}
        assert _active(db) == {(early, DAY), (late, DAY)}


def test_a_pass_recomputes_nothing_for_the_events_it_re_reads_behind_its_cursor(database_url: str) -> None:
    with raw_database(database_url) as db:
        with db.session() as session:
            add_event(session, WALLETS[0], START + 1_000)
            add_event(session, WALLETS[1], START + 2_000)
        assert db.roll_up().wallets == 2
        again = db.roll_up()
        assert (again.wallets, again.user_days) == (0, 0)


def test_an_event_taking_the_id_of_one_a_deletion_request_deleted_is_rolled_up(
    database_url: str, tmp_path: Path
) -> None:
    first, leaving, newcomer = WALLETS[0], WALLETS[1], WALLETS[2]
    with raw_database(database_url) as db:
        with db.session() as session:
            add_event(session, first, START + 1_000)
            add_event(session, leaving, START + 2_000)  # the newest event, read by the pass
        db.roll_up()
        with db.session() as session:  # its wallet asks for deletion: the event goes, and SQLite could reuse its id
            store = LocalFolderStore(tmp_path)
            request_deletion(session, store, leaving, 1825, now_ms=START + 4_000, travel_rule_retention_days=1825)
        with db.session() as session:
            add_event(session, newcomer, START + 5_000)
        db.roll_up()
        assert _connected(db).get(newcomer) == START + 5_000


def test_a_sign_in_copied_after_a_later_event_was_read_is_rolled_up(database_url: str) -> None:
    connected, signed_in = WALLETS[0], WALLETS[1]
    with raw_database(database_url) as db:
        with db.session() as session:
            add_event(session, connected, START + 600_000)
        db.roll_up()
        with db.session() as session:  # a session made ten minutes before that event, first seen now
            session.add(WalletSession(token_hash="ab" * 32, address=signed_in, chain_id=31337, created_at_ms=START,
                                      expires_at_ms=START + 86_400_000))  # fmt: skip
        db.roll_up()
        with db.session() as session:
            row = session.get(StatsWallet, signed_in)
            assert row is not None and row.signed_in_ms == START
        assert (signed_in, DAY) in _active(db)
