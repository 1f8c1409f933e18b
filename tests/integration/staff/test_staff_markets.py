"""Market state in the back office: halt, cancel-only and resume through the API change what order entry
accepts, each audit-logged with the state before and after, the reason, who and from where; the CLI
changes it through the same use case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.bootstrap import Container
from backend.db.models import Market
from backend.engine import MarketState
from backend.staff.roles import Role
from backend.trading.usecases.market_state import change_market_state

from ..api.exchange_fixtures import MARKET, QTY, Exchange
from .exchange_staff import STAFF_IP, audit_entries, back_office_state, running_staff_exchange, signed_in


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running_staff_exchange(database_url, tmp_path)


def state_of(container: Container) -> str:
    with container.uow() as uow:
        market = uow.session.get(Market, MARKET)
        assert market is not None
        return market.state


def test_a_halt_stops_orders_and_a_resume_opens_the_market_again_each_audit_logged(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    path = f"/v1/staff/markets/{MARKET}/state"
    halted = exchange.client.post(path, json={"state": "halted", "reason": "token contract paused"}, headers=csrf)
    assert (halted.status_code, halted.json()["name"], halted.json()["state"]) == (200, MARKET, "halted")
    exchange.sync()  # the engine host follows the stored state
    refused = exchange.place(5, baseAmount=QTY // 10)
    assert refused.json()["error"]["code"] == "MARKET_HALTED"
    exchange.client.post(path, json={"state": "cancel_only", "reason": "unwinding"}, headers=csrf)
    exchange.client.post(path, json={"state": "open", "reason": "token contract live again"}, headers=csrf)
    exchange.sync()
    assert exchange.place(5, baseAmount=QTY // 10).status_code == 201

    [halt] = audit_entries(exchange.container, "market.halt")
    assert (halt.actor, halt.target, halt.ip) == ("staff:admin@hdex.example", f"market:{MARKET}", STAFF_IP)
    assert (halt.before, halt.after) == ({"state": "open"}, {"state": "halted", "reason": "token contract paused"})
    [cancel_only] = audit_entries(exchange.container, "market.cancel-only")
    assert (cancel_only.before, cancel_only.after["state"]) == ({"state": "halted"}, "cancel_only")
    [resume] = audit_entries(exchange.container, "market.resume")
    assert (resume.before, resume.after["state"]) == ({"state": "cancel_only"}, "open")


def test_an_unknown_market_or_state_is_refused_and_changes_nothing(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    before = back_office_state(exchange.container)
    unknown = exchange.client.post("/v1/staff/markets/NOPE-USDC/state", json={"state": "halted", "reason": "r"},
                                   headers=csrf)  # fmt: skip
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "UNKNOWN_MARKET")
    bad = exchange.client.post(f"/v1/staff/markets/{MARKET}/state", json={"state": "closed", "reason": "r"},
                               headers=csrf)  # fmt: skip
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "INVALID_FIELD")
    assert back_office_state(exchange.container) == before


def test_the_cli_and_the_api_change_the_state_through_one_use_case(exchange: Exchange) -> None:
    with exchange.container.uow() as uow:
        change_market_state(uow.session, MARKET, MarketState.CANCEL_ONLY, actor="cli:root")
        uow.commit()
    assert state_of(exchange.container) == "cancel_only"
    [entry] = audit_entries(exchange.container, "market.cancel-only")
    assert (entry.actor, entry.ip, entry.before, entry.after) == ("cli:root", None, {"state": "open"},
                                                                  {"state": "cancel_only"})  # fmt: skip
