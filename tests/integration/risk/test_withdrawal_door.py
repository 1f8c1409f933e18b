"""The withdrawal door while withdrawals are paused: every withdrawal is refused with WITHDRAWALS_PAUSED
before anything else and changes nothing; staff see why, and only a role with risk.manage resumes them
(audit-logged), after which the same withdrawal is accepted. `hdex risk withdrawals` does the same from a
shell."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.db import migrate
from backend.risk.withdrawal_pause import active_pause, pause_withdrawals
from backend.settings import get_settings
from backend.staff.roles import Role

from ..api.exchange_fixtures import Exchange
from ..api.signed_requests import cancel_signature
from ..staff.exchange_staff import STAFF_IP, audit_entries, signed_in
from .withdrawal_fixtures import body, error, exchange, travel_rule, untouched, withdrawal

__all__ = ["exchange"]  # the fixture

DIFFERENCE = {"differences": [{"wallet": "0x" + "ab" * 20, "token": "USDC", "ledger": "5", "chain": "4"}]}


def pause(exchange: Exchange) -> None:
    with exchange.container.uow() as uow:
        assert pause_withdrawals(uow.session, "ledger differs from chain", DIFFERENCE, now_ms=1_700_000_000_000)
        uow.commit()


def test_orders_and_cancels_go_on_while_withdrawals_are_paused(exchange: Exchange) -> None:
    pause(exchange)
    placed = exchange.place(5)
    assert placed.status_code == 201, placed.text
    order_hash = placed.json()["hash"]
    signature = cancel_signature(exchange.domain, order_hash, 5)
    cancelled = exchange.client.request("DELETE", f"/v1/orders/{order_hash}", json={"signature": signature})
    assert cancelled.status_code == 200, cancelled.text


def test_a_paused_exchange_refuses_withdrawals_first_and_changes_nothing_until_an_admin_resumes(
    exchange: Exchange,
) -> None:
    pause(exchange)
    request = {**body(withdrawal()), "travelRule": travel_rule()}
    before = untouched(exchange)
    assert error(exchange.client.post("/v1/withdrawals", json=request)) == (503, "WITHDRAWALS_PAUSED", None)
    # refused before the signature is even looked at: a pause says nothing else about a request
    forged = {**request, "signature": "0x" + "11" * 65}
    assert error(exchange.client.post("/v1/withdrawals", json=forged))[:2] == (503, "WITHDRAWALS_PAUSED")
    assert untouched(exchange) == before

    signed_in(exchange, Role.SUPPORT)  # neither alerts.read nor risk.manage
    assert error(exchange.client.get("/v1/staff/risk/withdrawals"))[:2] == (403, "STAFF_FORBIDDEN")
    compliance = signed_in(exchange, Role.COMPLIANCE)  # reads alerts, may not resume
    status = exchange.client.get("/v1/staff/risk/withdrawals").json()
    assert status["paused"] is True
    [shown] = status["pauses"]
    assert (shown["reason"], shown["details"], shown["raisedAt"]) == (
        "ledger differs from chain",
        DIFFERENCE,
        1_700_000_000_000,
    )
    resume = {"reason": "the difference was a test deposit, explained"}
    assert error(exchange.client.post("/v1/staff/risk/withdrawals/resume", json=resume, headers=compliance))[:2] == (
        403,
        "STAFF_FORBIDDEN",
    )
    assert audit_entries(exchange.container, "withdrawals.resume") == []

    admin = signed_in(exchange, Role.ADMIN)
    resumed = exchange.client.post("/v1/staff/risk/withdrawals/resume", json=resume, headers=admin)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json() == {"paused": False, "pauses": []}
    [entry] = audit_entries(exchange.container, "withdrawals.resume")
    assert (entry.actor, entry.ip, entry.after["reason"]) == ("staff:admin@hdex.example", STAFF_IP, resume["reason"])

    assert exchange.client.post("/v1/withdrawals", json=request).status_code == 202
    again = exchange.client.post("/v1/staff/risk/withdrawals/resume", json=resume, headers=admin)
    assert error(again)[:2] == (409, "NO_WITHDRAWAL_PAUSE")


def test_a_resume_needs_a_reason_and_the_csrf_token(exchange: Exchange) -> None:
    pause(exchange)
    admin = signed_in(exchange, Role.ADMIN)
    no_reason = exchange.client.post("/v1/staff/risk/withdrawals/resume", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422
    no_csrf = exchange.client.post("/v1/staff/risk/withdrawals/resume", json={"reason": "fine"})
    assert error(no_csrf)[:2] == (403, "STAFF_CSRF_FAILED")
    assert exchange.client.get("/v1/staff/risk/withdrawals").json()["paused"] is True


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[CliRunner, str]]:
    migrate.upgrade(sqlite_url)
    monkeypatch.setenv("HDEX_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield CliRunner(), sqlite_url
    get_settings.cache_clear()


def test_the_cli_shows_a_pause_resumes_withdrawals_with_a_reason_and_refuses_when_none_is_open(
    cli: tuple[CliRunner, str],
) -> None:
    runner, _ = cli
    assert runner.invoke(main, ["risk", "withdrawals", "status"]).output == "withdrawals accepted\n"
    from backend.cli.context import database_container

    container = database_container()
    with container.uow() as uow:
        pause_withdrawals(uow.session, "ledger differs from chain", DIFFERENCE, now_ms=1_700_000_000_000)
        uow.commit()
    status = runner.invoke(main, ["risk", "withdrawals", "status"])
    assert status.exit_code == 0
    assert "withdrawals paused since 1700000000000 (epoch ms): ledger differs from chain" in status.output
    assert runner.invoke(main, ["risk", "withdrawals", "resume"]).exit_code == 2  # --reason is required
    resumed = runner.invoke(main, ["risk", "withdrawals", "resume", "--reason", "explained"])
    assert (resumed.exit_code, resumed.output) == (0, "withdrawals resumed (paused for: ledger differs from chain)\n")
    with container.uow() as uow:
        assert active_pause(uow.session) is None
    [entry] = audit_entries(container, "withdrawals.resume")
    assert entry.actor.startswith("cli:") and entry.after["reason"] == "explained"
    refused = runner.invoke(main, ["risk", "withdrawals", "resume", "--reason", "again"])
    assert refused.exit_code == 2 and "withdrawals are not paused" in refused.output
    container.db_engine.dispose()
