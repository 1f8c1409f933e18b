"""The statistics doors: public volume and markets, the staff tables and their CSV exports (which parse and add up
to the JSON's totals, and are audit-logged), who may read what, bad input refused with nothing changed, and
`hdex stats export` from the command line."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from backend.cli import main
from backend.db.models import AuditLogEntry, StatsEvent
from backend.settings import get_settings
from backend.staff.roles import Role
from backend.stats.days import add_days, day_of
from backend.stats.queries import COLUMNS
from backend.stats.service import StatsWorker

from ..api.exchange_fixtures import Exchange, wallet
from ..staff.conftest import make_staff, sign_in
from .conftest import event_count, first_half, second_half


def today() -> str:
    return day_of(time.time_ns() // 1_000_000)


@pytest.fixture
def rolled_up(exchange: Exchange) -> Exchange:
    scenario = first_half(exchange)
    second_half(exchange, scenario)
    exchange.drain()
    assert StatsWorker(exchange.container, read_chain=False).run_once()
    return exchange


def audit_entries(exchange: Exchange) -> int:
    with exchange.container.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0)


def test_public_markets_and_volume_show_the_days_trades_as_decimal_strings(rolled_up: Exchange) -> None:
    client = rolled_up.client
    first = add_days(today(), -6)
    markets = client.get("/v1/stats/markets", params={"from": first, "to": today()})
    assert markets.status_code == 200, markets.text
    rows = markets.json()["days"]
    assert {(r["market"], r["day"]) for r in rows} >= {("WETH-USDC", today()), ("WBTC-USDC", today())}
    assert all(isinstance(r["baseVolume"], str) and r["baseVolume"].isdigit() for r in rows)
    weth = next(r for r in rows if (r["market"], r["day"]) == ("WETH-USDC", today()))
    assert (weth["trades"], weth["baseVolume"], weth["base"], weth["quote"]) == (2, str(2 * 10**18), "WETH", "USDC")
    volume = client.get("/v1/stats/volume", params={"from": first, "to": today()}).json()["days"]
    today_usdc = [v for v in volume if v["day"] == today()]
    assert len(today_usdc) == 1 and today_usdc[0]["quote"] == "USDC"
    assert int(today_usdc[0]["quoteVolume"]) == sum(int(r["quoteVolume"]) for r in rows if r["day"] == today())
    assert today_usdc[0]["trades"] == sum(r["trades"] for r in rows if r["day"] == today())


def test_csv_exports_parse_and_add_up_to_the_json_totals_and_each_is_audit_logged(rolled_up: Exchange) -> None:
    client = rolled_up.client
    sign_in(client, make_staff(rolled_up.container, "auditor@hdex.example", Role.AUDITOR))
    window = {"from": add_days(today(), -6), "to": today()}
    for table in COLUMNS:
        as_json = client.get(f"/v1/staff/stats/{table}", params=window)
        assert as_json.status_code == 200, as_json.text
        rows = as_json.json()["rows"]
        assert rows, table
        assert list(rows[0]) == list(COLUMNS[table]), table  # an empty export's header is the same
        before = audit_entries(rolled_up)
        as_csv = client.get(f"/v1/staff/stats/{table}", params={**window, "format": "csv"})
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        parsed = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert len(parsed) == len(rows), table
        for column, value in rows[0].items():
            if isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit()):
                assert sum(int(r[column]) for r in parsed) == sum(int(r[column]) for r in rows), (table, column)
        assert audit_entries(rolled_up) == before + 1
    with rolled_up.container.uow() as uow:
        entry = uow.session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.target, entry.actor) == ("stats.export", "stats:cohorts", "staff:auditor@hdex.example")
    users = client.get("/v1/staff/stats/users", params=window).json()["rows"]
    assert users[-1]["dau"] >= 5 and users[-1]["mau"] >= users[-1]["wau"] >= users[-1]["dau"]
    funnel = {r["step"]: r["wallets"] for r in client.get("/v1/staff/stats/funnel", params=window).json()["rows"]}
    assert funnel["connected"] == 2 and funnel["traded"] >= 5 and funnel["deposited"] >= 5
    assert funnel["seen"] >= max(funnel.values()) and list(funnel) == [
        "seen",
        "connected",
        "signed_in",
        "deposited",
        "traded",
    ]


def test_an_export_of_a_range_without_rows_still_names_its_columns(exchange: Exchange) -> None:
    client = exchange.client
    sign_in(client, make_staff(exchange.container, "auditor@hdex.example", Role.AUDITOR))
    for table, columns in COLUMNS.items():
        as_csv = client.get(f"/v1/staff/stats/{table}", params={"from": "2026-01-01", "to": "2026-01-31",
                                                                 "format": "csv"})  # fmt: skip
        assert as_csv.status_code == 200, as_csv.text
        assert next(csv.reader(io.StringIO(as_csv.text))) == list(columns), table


def test_the_support_role_is_refused_the_staff_tables_and_nobody_signed_out_reads_them(exchange: Exchange) -> None:
    client = exchange.client
    assert client.get("/v1/staff/stats/users").json()["error"]["code"] == "STAFF_NOT_SIGNED_IN"
    sign_in(client, make_staff(exchange.container, "support@hdex.example", Role.SUPPORT))
    for table in ("users", "funnel", "cohorts", "fees", "tokens"):
        refused = client.get(f"/v1/staff/stats/{table}", params={"format": "csv"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "STAFF_FORBIDDEN"
    assert client.get("/v1/stats/volume").status_code == 200  # the public figures stay public


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-12-01"}, "from"),
        ({"from": "2026-1-01"}, "from"),
    ],
)
def test_bad_ranges_are_refused_with_a_typed_error_and_nothing_is_exported(
    exchange: Exchange, params: dict[str, str], field: str
) -> None:
    client = exchange.client
    for path in ("/v1/stats/markets", "/v1/stats/volume"):
        refused = client.get(path, params=params)
        assert refused.status_code == 422 and refused.json()["error"] == {
            "code": "STATS_RANGE_INVALID", "message": refused.json()["error"]["message"], "field": field
        }  # fmt: skip
    sign_in(client, make_staff(exchange.container, "admin@hdex.example", Role.ADMIN))
    before = audit_entries(exchange)
    refused = client.get("/v1/staff/stats/tokens", params={**params, "format": "csv"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "STATS_RANGE_INVALID"
    unknown = client.get("/v1/staff/stats/wallets", params={"format": "csv"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "STATS_TABLE_UNKNOWN"
    assert audit_entries(exchange) == before


def test_behaviour_events_take_known_kinds_of_real_addresses_once_a_day_and_refuse_the_rest(exchange: Exchange) -> None:
    client = exchange.client
    body = {"event": "wallet_connected", "wallet": wallet(5)}
    assert client.post("/v1/stats/events", json=body).json() == {"recorded": True}
    assert client.post("/v1/stats/events", json={**body, "wallet": wallet(5).lower()}).json() == {"recorded": False}
    before = event_count(exchange)
    for bad in (
        {"event": "page_view", "wallet": wallet(5)},
        {"event": "wallet_connected", "wallet": "0x1234"},
        {"event": "wallet_connected", "wallet": "0x" + "zz" * 20},
        {"event": "wallet_connected", "wallet": wallet(5), "ip": "1.2.3.4"},
        {"event": "wallet_connected"},
    ):
        refused = client.post("/v1/stats/events", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["code"] in ("INVALID_FIELD", "STATS_EVENT_UNKNOWN"), refused.text
    assert event_count(exchange) == before
    with exchange.container.uow() as uow:
        (kept,) = uow.session.scalars(select(StatsEvent)).all()
    assert (kept.wallet, kept.event) == (wallet(5), "wallet_connected")


def test_behaviour_events_are_rate_limited_per_client(database_url: str, tmp_path: Path) -> None:
    from ..api.exchange_fixtures import prepare, running

    for exchange in running(prepare(database_url, tmp_path, rate_limit_stats_events="3/minute")):
        answers = [
            exchange.client.post("/v1/stats/events", json={"event": "wallet_connected", "wallet": wallet(i)})
            for i in range(5, 9)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[-1].json()["error"]["code"] == "RATE_LIMITED"
        assert event_count(exchange) == 3


@pytest.fixture
def cli(rolled_up: Exchange, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("HDEX_DATABASE_URL", str(rolled_up.container.settings.effective_database_url))
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_hdex_stats_export_writes_the_csv_of_the_api_and_refuses_a_bad_range(
    cli: CliRunner, rolled_up: Exchange, tmp_path: Path
) -> None:
    window = ["--from", add_days(today(), -6), "--to", today()]
    out = tmp_path / "markets.csv"
    result = cli.invoke(main, ["stats", "export", "markets", *window, "--output", str(out)])
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(out.read_text())))
    rows = rolled_up.client.get("/v1/stats/markets", params={"from": window[1], "to": window[3]}).json()["days"]
    assert sum(int(r["quoteVolume"]) for r in parsed) == sum(int(r["quoteVolume"]) for r in rows) > 0
    refused = cli.invoke(main, ["stats", "export", "markets", "--from", today(), "--to", add_days(today(), -1)])
    assert refused.exit_code == 2 and "after" in refused.output
    assert cli.invoke(main, ["stats", "run-once", "--no-chain"]).exit_code == 0
    assert cli.invoke(main, ["stats", "rebuild"]).exit_code == 0


def test_an_export_to_a_folder_that_does_not_exist_is_refused_in_one_line_and_not_audit_logged(
    cli: CliRunner, rolled_up: Exchange, tmp_path: Path
) -> None:
    result = cli.invoke(main, ["stats", "export", "markets", "--output", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 2 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert f"cannot write {tmp_path / 'missing' / 'x.csv'}" in result.output and "nothing exported" in result.output
    with rolled_up.container.uow() as uow:
        exports = uow.session.scalar(select(func.count()).where(AuditLogEntry.action == "stats.export"))
    assert exports == 0
