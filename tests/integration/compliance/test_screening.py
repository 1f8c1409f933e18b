"""Screening on a real database: lists, deny-list, cache, fail-closed providers, and the audit trail."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.compliance.lists import (
    BUNDLED_OFAC_LIST,
    BUNDLED_VERSION_PREFIX,
    SanctionsList,
    bundled_ofac_list,
    parse_address_list,
    parse_list_file,
)
from backend.compliance.providers import (
    DenyListProvider,
    Hit,
    OracleProvider,
    SanctionsListProvider,
)
from backend.compliance.screening import Screener
from backend.compliance.store import allow, deny, deny_list_version, import_bundled_list, import_list
from backend.db import migrate
from backend.db.models import DenyListEntry, DenyListVersion, ScreeningDecision
from backend.db.session import make_engine
from tests.processes import hdex_command

SANCTIONED = "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"  # first entry of the bundled OFAC list
CLEAN = "0x" + "ab" * 20


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        import_list(session, parse_list_file(BUNDLED_OFAC_LIST))
        session.commit()
    yield factory
    engine.dispose()


def _screener(sessions: sessionmaker[Session], *extra: object, clock: list[float] | None = None) -> Screener:
    now = clock or [0.0]
    providers = [SanctionsListProvider(), DenyListProvider(), *extra]
    return Screener(sessions, providers, ttl_s=60, clock=lambda: now[0])  # type: ignore[arg-type]


def _audit(sessions: sessionmaker[Session]) -> list[ScreeningDecision]:
    with sessions() as session:
        return list(session.scalars(select(ScreeningDecision).order_by(ScreeningDecision.id)))


def test_a_listed_address_is_blocked_in_any_case_and_the_decision_is_audited(
    sessions: sessionmaker[Session],
) -> None:
    decisions = _screener(sessions).screen(
        [SANCTIONED.upper().replace("0X", "0x"), CLEAN], actor="relayer", context="trade:maker"
    )
    assert decisions[SANCTIONED.lower()].result == "blocked"
    assert not decisions[SANCTIONED.lower()].allowed
    assert decisions[CLEAN].allowed
    rows = _audit(sessions)
    assert {(r.address, r.result, r.actor, r.context) for r in rows} == {
        (SANCTIONED.lower(), "blocked", "relayer", "trade:maker"),
        (CLEAN, "clear", "relayer", "trade:maker"),
    }
    blocked = next(r for r in rows if r.result == "blocked")
    assert blocked.list_versions["sanctions-list"].startswith("ofac-sdn@sha256:")
    assert blocked.hits[0]["provider"] == "sanctions-list"


def test_a_newer_list_version_replaces_the_old_one(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    newer = tmp_path / "ofac.txt"
    newer.write_text(CLEAN + "\n")
    with sessions() as session:
        assert import_list(session, parse_address_list(newer, source="ofac-sdn"))[1]
        assert not import_list(session, parse_address_list(newer, source="ofac-sdn"))[1]  # same version: no-op
        session.commit()
    decisions = _screener(sessions).screen([SANCTIONED, CLEAN], actor="t", context="t")
    assert decisions[SANCTIONED.lower()].allowed
    assert not decisions[CLEAN].allowed


def test_the_deny_list_blocks_until_the_address_is_allowed_again(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        deny(session, CLEAN, "fraud report #12", "support")
        session.commit()
    screener = _screener(sessions)
    decision = screener.screen([CLEAN], actor="t", context="withdrawal:destination")[CLEAN]
    assert decision.result == "blocked"
    assert "fraud report #12" in decision.hits[0].reason
    with sessions() as session:
        assert allow(session, CLEAN)
        session.commit()
    screener.invalidate()
    assert screener.screen([CLEAN], actor="t", context="t")[CLEAN].allowed


def test_a_list_import_or_deny_listing_overrides_a_cached_clear_decision_at_once(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    screener = _screener(sessions)  # one screener, shared by the API, the relayer and the indexer
    assert screener.screen([CLEAN], actor="t", context="t")[CLEAN].allowed  # cached for 60 s
    with sessions() as session:
        deny(session, CLEAN, "fraud report #13", "support")
        session.commit()
    assert screener.screen([CLEAN], actor="t", context="t")[CLEAN].result == "blocked"
    other = "0x" + "cd" * 20
    assert screener.screen([other], actor="t", context="t")[other].allowed
    newer = tmp_path / "ofac.txt"
    newer.write_text(other + "\n")
    with sessions() as session:
        import_list(session, parse_address_list(newer, source="ofac-sdn"))
        session.commit()
    assert screener.screen([other], actor="t", context="t")[other].result == "blocked"


def test_cached_decisions_expire_and_every_screening_is_audited(sessions: sessionmaker[Session]) -> None:
    clock = [0.0]
    calls: list[Sequence[str]] = []

    class Counting(DenyListProvider):
        def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
            calls.append(addresses)
            return super().check(session, addresses)

    screener = _screener(sessions, Counting(), clock=clock)
    screener.screen([CLEAN], actor="t", context="t")
    screener.screen([CLEAN], actor="t", context="t")
    assert len(calls) == 1  # second answer came from the cache
    clock[0] = 61.0
    screener.screen([CLEAN], actor="t", context="t")
    assert len(calls) == 2
    assert len(_audit(sessions)) == 3


def test_an_unavailable_oracle_fails_closed_and_is_not_cached(sessions: sessionmaker[Session]) -> None:
    def down(method: str, params: list[object]) -> object:
        raise ConnectionError("connection refused")

    screener = _screener(sessions, OracleProvider(down, "0x" + "0c" * 20))
    decision = screener.screen([CLEAN], actor="t", context="t")[CLEAN]
    assert decision.result == "error"
    assert not decision.allowed
    assert "unavailable" in decision.hits[0].reason
    assert screener._cache == {}


# The commands' own behaviour (exit codes, messages, --yes) is the same on either database, and each `hdex` is a
# process of its own (over a second of imports): on SQLite only; the store under them runs on both above.
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def hdex(database_url: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`hdex ARGS...` in a process of its own on the test database, its stdin not a terminal (as in a script)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return hdex_command(*args, HDEX_DATABASE_URL=database_url, HDEX_RPC_URL="http://127.0.0.1:9")

    return run


@ON_SQLITE
def test_the_cli_screens_and_imports_with_exit_codes(
    hdex: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    imported = hdex("compliance", "import", str(BUNDLED_OFAC_LIST))
    assert imported.returncode == 0, imported.stderr
    assert "147 addresses" in imported.stdout
    blocked = hdex("compliance", "screen", SANCTIONED, CLEAN)
    assert blocked.returncode == 1
    assert f"{SANCTIONED.lower()} blocked" in blocked.stdout
    assert f"{CLEAN} clear" in blocked.stdout
    assert hdex("compliance", "screen", CLEAN).returncode == 0
    bad = hdex("compliance", "screen", "0x1234")
    assert bad.returncode == 2 and "not an Ethereum address" in bad.stderr
    garbage = tmp_path / "list.txt"
    garbage.write_text("hello\n")
    refused = hdex("compliance", "import", str(garbage))
    assert refused.returncode == 2 and "list.txt:1" in refused.stderr


@ON_SQLITE
def test_plain_lists_are_kept_apart_by_name_and_one_dropping_addresses_needs_yes(
    hdex: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    kept, dropped, other = "0x" + "a1" * 20, "0x" + "a2" * 20, "0x" + "a3" * 20
    (tmp_path / "vendor1.txt").write_text(f"{kept}\n{dropped}\n")
    (tmp_path / "vendor2.txt").write_text(f"{other}\n")
    first = hdex("compliance", "import", str(tmp_path / "vendor1.txt"))
    assert first.returncode == 0 and "list:vendor1: 2 address(es) added, 0 drop out" in first.stdout, first.stderr
    second = hdex("compliance", "import", str(tmp_path / "vendor2.txt"))
    assert second.returncode == 0 and "list:vendor2: 1 address(es) added, 0 drop out" in second.stdout
    assert hdex("compliance", "screen", kept, dropped, other).stdout.count(" blocked") == 3  # vendor1's list stays

    (tmp_path / "vendor1.txt").write_text(f"{kept}\n")
    refused = hdex("compliance", "import", str(tmp_path / "vendor1.txt"))
    assert refused.returncode == 2 and "1 drop out" in refused.stdout
    assert "give --yes" in refused.stderr and "nothing imported" in refused.stderr
    assert hdex("compliance", "screen", dropped).returncode == 1  # still listed
    confirmed = hdex("compliance", "import", "--yes", str(tmp_path / "vendor1.txt"))
    assert confirmed.returncode == 0 and "imported" in confirmed.stdout, confirmed.stderr
    assert hdex("compliance", "screen", dropped).returncode == 0
    assert hdex("compliance", "screen", kept, other).returncode == 1


def test_a_restart_keeps_the_operators_ofac_import_and_takes_a_newer_bundled_snapshot(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """`hdex up` imports the shipped snapshot at every start (`ensure_bundled_list`): over an older snapshot, not
    over the list the operator imported with `hdex compliance import`, which would stop screening its additions."""
    with sessions() as session:
        older = SanctionsList("ofac-sdn", BUNDLED_VERSION_PREFIX + "sha256:older", frozenset())
        import_list(session, older)  # what an earlier HDEX shipped
        row, imported = import_bundled_list(session, bundled_ofac_list())
        assert imported and row.version.startswith(BUNDLED_VERSION_PREFIX)
        assert not import_bundled_list(session, bundled_ofac_list())[1]  # the same snapshot: nothing to do
        newer = tmp_path / "ofac-sdn-2026-12-01.txt"
        newer.write_text(CLEAN + "\n")
        import_list(session, parse_list_file(newer))  # the operator's import
        session.commit()
    with sessions() as session:
        row, imported = import_bundled_list(session, bundled_ofac_list())
        session.commit()
    assert not imported and not row.version.startswith(BUNDLED_VERSION_PREFIX)
    assert not _screener(sessions).screen([CLEAN], actor="t", context="t")[CLEAN].allowed


def test_a_screening_of_more_addresses_than_a_statement_may_bind_is_checked_in_chunks(
    sessions: sessionmaker[Session],
) -> None:
    """A re-screen of every active wallet is one screening: past 65,535 wallets one `IN (...)` of them all fails
    on PostgreSQL (its bound-parameter limit), and the monitor would never screen again."""
    many = [f"0x{n:040x}" for n in range(1, 66_001)]
    decisions = _screener(sessions).screen([*many, SANCTIONED], actor="t", context="rescreen")
    assert decisions[SANCTIONED.lower()].result == "blocked"
    assert all(decisions[address].result == "clear" for address in many)


def test_a_deny_listing_in_the_same_second_as_the_last_still_overrides_a_cached_clear_decision(
    sessions: sessionmaker[Session],
) -> None:
    """SQLite keeps seconds, and PostgreSQL's now() is a transaction's start: two entries can share a time."""
    other = "0x" + "cd" * 20
    with sessions() as session:
        deny(session, CLEAN, "fraud report #14", "support")
        session.commit()
    screener = _screener(sessions)
    assert screener.screen([other], actor="t", context="t")[other].allowed  # cached for 60 s
    with sessions() as session:
        deny(session, other, "fraud report #15", "support")
        session.flush()
        first = session.get(DenyListEntry, CLEAN)
        assert first is not None
        session.get(DenyListEntry, other).added_at = first.added_at  # type: ignore[union-attr]
        session.commit()
    assert screener.screen([other], actor="t", context="t")[other].result == "blocked"


def test_an_entry_out_and_another_in_within_the_same_second_still_overrides_a_cached_clear_decision(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    """The operator corrects a typo: the wrong address out, the right one in, within a second. The entries' count
    and latest time are as they were, and the change comes from another process (only the database is shared)."""
    typo, meant = "0x" + "aa" * 20, "0x" + "bb" * 20
    with sessions() as session:
        deny(session, typo, "sanctioned", "compliance")
        session.commit()
    screener = _screener(sessions)  # the API's, the relayer's and deposit screening's one cache
    assert screener.screen([meant], actor="t", context="t")[meant].allowed  # cached for 60 s
    elsewhere = make_engine(database_url)  # the staff API's process, say
    try:
        with sessionmaker(elsewhere)() as session:
            first = session.get(DenyListEntry, typo)
            assert first is not None
            added_at = first.added_at
            assert allow(session, typo)
            deny(session, meant, "sanctioned", "compliance")
            session.flush()
            entry = session.get(DenyListEntry, meant)
            assert entry is not None
            entry.added_at = added_at  # the same second as the entry it replaces
            session.commit()
    finally:
        elsewhere.dispose()
    assert screener.screen([meant], actor="t", context="t")[meant].result == "blocked"
    assert screener.screen([typo], actor="t", context="t")[typo].allowed


def test_every_deny_list_change_raises_its_version_and_a_rolled_back_one_does_not(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        row = session.get(DenyListVersion, 1)
        assert row is not None and row.version == 0  # written by the migration
    seen = [0]

    def changed(change: Callable[[Session], object]) -> None:
        with sessions() as session:
            change(session)
            session.commit()
            seen.append(deny_list_version(session))

    changed(lambda session: deny(session, CLEAN, "fraud report #16", "support"))
    changed(lambda session: deny(session, CLEAN, "fraud report #16, confirmed", "compliance"))  # reworded
    changed(lambda session: allow(session, CLEAN))
    assert seen == [0, 1, 2, 3]
    with sessions() as session:
        assert not allow(session, CLEAN)  # not there: nothing changed
        deny(session, CLEAN, "fraud report #17", "support")
        session.rollback()
        assert deny_list_version(session) == 3
