"""Every back-office route of users, limits, the deny-list, frozen deposits and market state checks its own
permission on the server: a role without it gets 403 STAFF_FORBIDDEN and nothing changes. Each route is tried by
a member whose role holds every other permission: the route checks its own, not any (the real roles that lack it
are refused by every route: tests/integration/staff/test_route_guards.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.db.models import ChainEvent, FrozenFunds
from backend.staff.roles import PERMISSIONS, Permission, Role
from backend.trading.usecases.deny_list import deny_address

from ..api.exchange_fixtures import CHAIN_ID, EXCHANGE, MARKET, USDC, Exchange, wallet
from .exchange_staff import back_office_state, running_staff_exchange, signed_in

LISTED = "0x" + "5e" * 20
FROZEN_ID = 900
# (method, path, body, the permission it needs)
ROUTES: list[tuple[str, str, dict[str, Any] | None, Permission]] = [
    ("GET", "/v1/staff/users?q=alice", None, Permission.USERS_READ),
    ("GET", f"/v1/staff/users/{wallet(5)}", None, Permission.USERS_READ),
    (
        "PUT",
        f"/v1/staff/users/{wallet(5)}/limits",
        {"maxOrderNotional": "1", "reason": "r"},
        Permission.LIMITS_OVERRIDE,
    ),
    ("GET", "/v1/staff/denylist", None, Permission.DENYLIST_READ),
    ("POST", "/v1/staff/denylist", {"address": "0x" + "11" * 20, "reason": "r"}, Permission.DENYLIST_MANAGE),
    ("POST", f"/v1/staff/denylist/{LISTED}/remove", {"reason": "r"}, Permission.DENYLIST_MANAGE),
    ("GET", "/v1/staff/frozen", None, Permission.FROZEN_READ),
    ("POST", f"/v1/staff/frozen/{FROZEN_ID}/release", {"reason": "r"}, Permission.FROZEN_RELEASE),
    ("POST", f"/v1/staff/markets/{MARKET}/state", {"state": "halted", "reason": "r"}, Permission.MARKET_STATE),
    ("GET", f"/v1/staff/markets/{MARKET}/risk", None, Permission.RISK_MANAGE),
    ("PUT", f"/v1/staff/markets/{MARKET}/risk", {"bandBps": 5}, Permission.RISK_MANAGE),
    ("DELETE", f"/v1/staff/markets/{MARKET}/halt", None, Permission.RISK_MANAGE),
]
ROUTE_IDS = [f"{method} {path.split('?')[0]}" for method, path, _, _ in ROUTES]


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    for running in running_staff_exchange(database_url, tmp_path):
        with running.container.uow() as uow:  # something for the remove route to (not) remove
            deny_address(uow.session, LISTED, "known scam", actor="cli:test")
            uow.commit()
        with running.container.uow() as uow:  # and for the release route to (not) release: its depositor is clear
            uow.session.add(ChainEvent(
                id=FROZEN_ID, chain_id=CHAIN_ID, block_number=1, block_hash="0x" + "01" * 32, tx_hash="0x" + "02" * 32,
                log_index=0, contract=EXCHANGE, name="Deposited", args={}, status="final",
            ))  # fmt: skip
            uow.session.flush()
            uow.session.add(FrozenFunds(id=FROZEN_ID, chain_event_id=FROZEN_ID, wallet=wallet(7), token=USDC,
                                        amount=1, reason="since delisted"))  # fmt: skip
            uow.commit()
        yield running


def refused_and_nothing_changed(exchange: Exchange, csrf: dict[str, str], method: str, path: str,
                                body: dict[str, Any] | None) -> None:  # fmt: skip
    before = back_office_state(exchange.container)
    answer = exchange.client.request(method, path, json=body, headers=csrf)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "STAFF_FORBIDDEN"), answer.text
    assert back_office_state(exchange.container) == before


@pytest.mark.parametrize(("method", "path", "body", "needed"), ROUTES, ids=ROUTE_IDS)
def test_a_role_holding_every_permission_but_the_routes_own_is_refused(
    exchange: Exchange, monkeypatch: pytest.MonkeyPatch, method: str, path: str, body: dict[str, Any] | None,
    needed: Permission,
) -> None:  # fmt: skip
    monkeypatch.setitem(PERMISSIONS, Role.SUPPORT, frozenset(Permission) - {needed})
    csrf = signed_in(exchange, Role.SUPPORT)
    refused_and_nothing_changed(exchange, csrf, method, path, body)
