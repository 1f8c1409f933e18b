"""`hdex market add/list/halt/resume` manage markets in the database; the running engine follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from backend.bootstrap import bootstrap
from backend.cli import main
from backend.db import migrate
from backend.db.models import AuditLogEntry
from backend.settings import get_settings

from .exchange_fixtures import MARKET, Exchange

ADD = ["market", "add", "DEMO-USD", "--base", "0x" + "0d" * 20, "--quote", "0x" + "0e" * 20,
       "--base-symbol", "DEMO", "--quote-symbol", "USD", "--base-decimals", "18", "--quote-decimals", "6",
       "--tick", "10000", "--lot", "1000000000000000", "--min-notional", "1000000",
       "--maker-fee", "1000", "--taker-fee", "2000"]  # fmt: skip


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    migrate.upgrade(sqlite_url)
    monkeypatch.setenv("HDEX_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_market_is_added_listed_halted_and_resumed(cli: CliRunner) -> None:
    added = cli.invoke(main, ADD)
    assert added.exit_code == 0
    assert "maker_fee=1000 taker_fee=2000" in added.output and "base=DEMO:0x" in added.output  # what it stored
    with bootstrap(get_settings()).uow() as uow:  # and the audit log has it, as the back office's changes
        [entry] = uow.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "market.add")).all()
        assert entry.target == "market:DEMO-USD" and entry.actor.startswith("cli:")
        after = json.loads(entry.after)
        assert (after["tick"], after["lot"], after["min_notional"], after["taker_fee"]) == (10000, 10**15, 10**6, 2000)
    listing = cli.invoke(main, ["market", "list"])
    assert "DEMO-USD open" in listing.output
    assert cli.invoke(main, ["market", "halt", "DEMO-USD", "--reason", "test"]).exit_code == 0
    assert "DEMO-USD halted" in cli.invoke(main, ["market", "list"]).output
    assert cli.invoke(main, ["market", "resume", "DEMO-USD", "--reason", "test"]).exit_code == 0
    assert "DEMO-USD open" in cli.invoke(main, ["market", "list"]).output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--tick", "3"], "multiple of 1e18"),
        (["--taker-fee", "20000"], "20000"),
        (["--quote", "0x" + "0d" * 20], "differ"),
        (["--base-symbol", "S" * 17], "1-16 characters"),
    ],
)
def test_a_bad_market_is_refused_with_one_line_and_a_non_zero_exit(
    cli: CliRunner, change: list[str], message: str
) -> None:
    args = list(ADD)
    option = args.index(change[0])
    args[option + 1] = change[1]
    result = cli.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "DEMO-USD" not in cli.invoke(main, ["market", "list"]).output


def test_adding_the_same_market_twice_is_refused(cli: CliRunner) -> None:
    cli.invoke(main, ADD)
    result = cli.invoke(main, ADD)
    assert result.exit_code == 2 and "exists" in result.output


def test_halting_an_unknown_market_is_refused(cli: CliRunner) -> None:
    result = cli.invoke(main, ["market", "halt", "NOPE", "--reason", "test"])
    assert result.exit_code == 2 and "no market NOPE" in result.output


@pytest.mark.parametrize(
    "args", [["market", "halt", "DEMO-USD"], ["market", "halt", "DEMO-USD", "--reason", " "],
             ["market", "risk", "set", "DEMO-USD", "--band-bps", "300"]],
)  # fmt: skip
def test_a_market_change_without_a_reason_is_refused_and_changes_nothing(cli: CliRunner, args: list[str]) -> None:
    assert cli.invoke(main, ADD).exit_code == 0
    result = cli.invoke(main, args)
    assert result.exit_code == 2 and "--reason" in result.output
    assert "DEMO-USD open" in cli.invoke(main, ["market", "list"]).output
    assert "band_bps=2000 (default)" in cli.invoke(main, ["market", "risk", "show", "DEMO-USD"]).output


def test_the_reason_is_audit_logged_and_a_halt_of_a_halted_market_says_so_and_logs_nothing(cli: CliRunner) -> None:
    assert cli.invoke(main, ADD).exit_code == 0
    assert cli.invoke(main, ["market", "halt", "DEMO-USD", "--reason", "feed outage"]).exit_code == 0
    again = cli.invoke(main, ["market", "halt", "DEMO-USD", "--reason", "feed outage"])
    assert again.exit_code == 0 and "market DEMO-USD is already halted: nothing changed" in again.output
    with bootstrap(get_settings()).uow() as uow:
        [entry] = uow.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "market.halt")).all()
    assert json.loads(entry.after) == {"state": "halted", "reason": "feed outage"}


def test_the_running_engine_follows_a_halt_from_the_command_line(
    sqlite_exchange: Exchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HDEX_DATABASE_URL", str(sqlite_exchange.container.settings.database_url))
    get_settings.cache_clear()
    try:
        assert CliRunner().invoke(main, ["market", "halt", MARKET, "--reason", "test"]).exit_code == 0
    finally:
        get_settings.cache_clear()
    sqlite_exchange.sync()
    assert sqlite_exchange.place().json()["error"]["code"] == "MARKET_HALTED"
    assert sqlite_exchange.client.get("/v1/markets").json()["markets"][0]["state"] == "halted"


def test_a_markets_risk_settings_are_set_and_shown_and_bad_ones_refused(cli: CliRunner) -> None:
    assert cli.invoke(main, ADD).exit_code == 0
    changed = cli.invoke(
        main, ["market", "risk", "set", "DEMO-USD", "--band-bps", "300", "--max-order-base", "5", "--reason", "test"]
    )
    assert changed.exit_code == 0, changed.output
    shown = cli.invoke(main, ["market", "risk", "show", "DEMO-USD"]).output
    assert "band_bps=300\n" in shown and "max_order_base=5\n" in shown and "breaker_bps=1000 (default)" in shown
    assert "halt=none" in shown
    reset = cli.invoke(main, ["market", "risk", "set", "DEMO-USD", "--band-bps", "default", "--reason", "test"])
    assert reset.exit_code == 0
    assert "band_bps=2000 (default)" in cli.invoke(main, ["market", "risk", "show", "DEMO-USD"]).output
    refused = cli.invoke(main, ["market", "risk", "set", "DEMO-USD", "--alert-bps", "5000", "--reason", "test"])
    assert refused.exit_code == 2 and "alert_bps must be below breaker_bps" in refused.output
    assert cli.invoke(main, ["market", "risk", "set", "DEMO-USD", "--band-bps", "x", "--reason", "test"]).exit_code == 2
    assert cli.invoke(main, ["market", "risk", "show", "NOPE"]).exit_code == 2
