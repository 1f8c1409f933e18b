"""`hdex market add/list/halt/resume` manage markets in the database; the running engine follows. With the
Exchange deployed and its node answering, `add` refuses tokens whose decimals() or symbol() differ from those
given, or without code, and warns of one the Exchange does not list yet; fees above the Exchange's schedule are
stored capped, and it says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_utils.address import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.bootstrap import bootstrap
from backend.chain.artifacts import load_artifact
from backend.chain.deployments import record_deployments
from backend.cli import main
from backend.db import migrate
from backend.db.models import AuditLogEntry, ChainEvent, MarketHalt
from backend.db.session import make_engine
from backend.settings import get_settings
from backend.statuses import ChainEventStatus

from ..devchain import DevChain
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


def test_fees_above_the_exchanges_schedule_are_stored_capped_and_the_command_says_so(
    cli: CliRunner, sqlite_url: str
) -> None:
    with Session(make_engine(sqlite_url)) as session:
        session.add(
            ChainEvent(
                chain_id=31337, block_number=1, block_hash="0x" + "11" * 32, tx_hash="0x" + "22" * 32, log_index=0,
                contract="0x" + "ee" * 20, name="FeeScheduleSet", args={"makerFeeRate": 500, "takerFeeRate": 2000},
                status=ChainEventStatus.FINAL,
            )
        )  # fmt: skip
        session.commit()
    added = cli.invoke(main, ADD)
    assert added.exit_code == 0, added.output
    assert "maker_fee=500 taker_fee=2000" in added.output
    assert "--maker-fee 1000 capped to 500: the Exchange's fee schedule charges at most 500" in added.output
    assert "taker-fee 2000 capped" not in added.output


def test_ether_as_the_zero_address_is_a_token_of_18_decimals(cli: CliRunner) -> None:
    """Token zero is the Exchange's ether balance (deposited with depositEther, settled like any token)."""
    args = list(ADD)
    args[args.index("--quote") + 1] = "0x" + "00" * 20
    result = cli.invoke(main, args)
    assert result.exit_code == 2 and "--quote-decimals must be 18" in result.output, result.output
    assert "DEMO-USD" not in cli.invoke(main, ["market", "list"]).output
    args[args.index("--quote-decimals") + 1] = "18"
    assert cli.invoke(main, args).exit_code == 0
    assert "DEMO-USD" in cli.invoke(main, ["market", "list"]).output


NO_CODE = "0x" + "0d" * 20


@pytest.fixture
def chain_cli(cli: CliRunner, devchain: DevChain, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> DevChain:
    """`hdex market add` with the dev stack's Exchange recorded and its node answering."""
    monkeypatch.setenv("HDEX_RPC_URL", devchain.url)
    get_settings.cache_clear()
    with Session(make_engine(sqlite_url)) as session:
        record_deployments(session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        session.commit()
    return devchain


def market_add(base: str, quote: str, *changes: str) -> list[str]:
    args = ["market", "add", "NEW-USDC", "--base", base, "--quote", quote, "--base-symbol", "WETH",
            "--quote-symbol", "USDC", "--base-decimals", "18", "--quote-decimals", "6", "--tick", "10000",
            "--lot", "1000000000000000", "--maker-fee", "1000", "--taker-fee", "2000"]  # fmt: skip
    for option, value in zip(changes[::2], changes[1::2], strict=True):
        args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (["--base-decimals", "6"], "--base-decimals 6 but base token {weth} has decimals() 18"),
        (["--quote-symbol", "USDT"], "--quote-symbol USDT but quote token {usdc} has symbol() 'USDC'"),
        (["--base", NO_CODE], f"base token {to_checksum_address(NO_CODE)}: no contract at that address"),
    ],
)
def test_a_market_whose_tokens_are_not_what_the_chain_says_is_refused(
    cli: CliRunner, chain_cli: DevChain, changes: list[str], message: str
) -> None:
    weth, usdc = chain_cli.token("WETH").address, chain_cli.token("USDC").address
    result = cli.invoke(main, market_add(weth, usdc, *changes))
    assert result.exit_code == 2, result.output
    assert message.format(weth=weth, usdc=usdc) in result.output
    assert "NEW-USDC" not in cli.invoke(main, ["market", "list"]).output


def test_a_token_the_exchange_does_not_list_yet_is_added_with_a_warning(cli: CliRunner, chain_cli: DevChain) -> None:
    artifact = load_artifact("TestERC20")
    factory = chain_cli.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx_hash = factory.constructor("Wrapped Ether", "WETH", 18).transact({"from": chain_cli.w3.eth.accounts[0]})
    unlisted = chain_cli.w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]
    result = cli.invoke(main, market_add(unlisted, chain_cli.token("USDC").address))
    assert result.exit_code == 0, result.output
    assert f"warning: the Exchange does not list base token {unlisted} (WETH) yet" in result.output
    assert "NEW-USDC open" in cli.invoke(main, ["market", "list"]).output


def test_risk_show_gives_a_halts_end_as_an_iso_utc_time_beside_the_milliseconds(
    cli: CliRunner, sqlite_url: str
) -> None:
    assert cli.invoke(main, ADD).exit_code == 0
    until_ms = 4_102_444_800_123  # 2100-01-01T00:00:00.123Z
    with Session(make_engine(sqlite_url)) as session:
        session.add(MarketHalt(market="DEMO-USD", kind="staff", reason="test", halted_at_ms=0, until_ms=until_ms))
        session.commit()
    shown = cli.invoke(main, ["market", "risk", "show", "DEMO-USD"]).output
    assert f"halt=staff until={until_ms} (2100-01-01T00:00:00.123Z) reason=test" in shown, shown
