"""The back office's users: lookup by wallet or e-mail, one user's whole picture, and limit overrides that
are audit-logged with before and after and count at the user's next order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.accounts.profiles import ensure_profile
from backend.staff.roles import Role

from ..api.exchange_fixtures import QTY, USDC, Exchange, wallet
from ..limits.conftest import USDC_UNIT, withdraw
from .exchange_staff import STAFF_IP, audit_entries, back_office_state, running_staff_exchange, signed_in


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running_staff_exchange(database_url, tmp_path)


def give_profile(exchange: Exchange, key_index: int, email: str) -> None:
    with exchange.container.uow() as uow:
        profile = ensure_profile(uow.session, wallet(key_index), int(time.time() * 1000))
        profile.email, profile.country = email, "DE"
        uow.commit()


def test_a_user_is_found_by_wallet_or_by_part_of_their_email(exchange: Exchange) -> None:
    give_profile(exchange, 5, "alice@example.com")
    give_profile(exchange, 6, "bob@example.com")
    signed_in(exchange, Role.SUPPORT)

    def found(q: str) -> list[dict[str, Any]]:
        answer = exchange.client.get("/v1/staff/users", params={"q": q})
        assert answer.status_code == 200, answer.text
        users: list[dict[str, Any]] = answer.json()["users"]
        return users

    [alice] = found(wallet(5).lower())
    assert (alice["address"], alice["email"], alice["level"], alice["country"]) == (
        wallet(5),
        "alice@example.com",
        0,
        "DE",
    )
    assert [u["address"] for u in found("ALICE@")] == [wallet(5)]
    assert [u["email"] for u in found("example.com")] == ["alice@example.com", "bob@example.com"]
    assert found("%") == [] and found("nobody") == []
    assert found(wallet(7)) == [{"address": wallet(7), "email": None, "level": 0, "country": None, "createdAt": None}]


def test_a_users_picture_shows_profile_limits_funds_orders_transfers_and_screening(exchange: Exchange) -> None:
    give_profile(exchange, 5, "alice@example.com")
    assert exchange.place(5, baseAmount=QTY // 10).status_code == 201
    assert withdraw(exchange, 100 * USDC_UNIT).status_code == 202
    signed_in(exchange, Role.AUDITOR)
    answer = exchange.client.get(f"/v1/staff/users/{wallet(5)}")
    assert answer.status_code == 200, answer.text
    picture = answer.json()
    assert (picture["profile"]["address"], picture["profile"]["email"]) == (wallet(5), "alice@example.com")
    assert (picture["limits"]["level"], picture["limits"]["used"]["withdrawalDaily"]) == (0, "100000000")
    usdc = next(b for b in picture["balances"] if b["token"].lower() == USDC)
    assert (usdc["total"], usdc["symbol"]) == (str(1_000_000 * USDC_UNIT), "USDC")
    assert int(usdc["available"]) < int(usdc["total"])  # the order and the withdrawal hold some
    assert [len(picture[k]) for k in ("orders", "fills", "deposits", "withdrawals")] == [1, 0, 0, 1]
    assert {(s["address"], s["decision"], s["context"]) for s in picture["screening"]} == {
        (wallet(5), "clear", "withdrawal")
    }


def test_a_wallet_without_a_profile_shows_as_a_blank_level_0_user(exchange: Exchange) -> None:
    signed_in(exchange, Role.SUPPORT)
    picture = exchange.client.get(f"/v1/staff/users/{wallet(7)}").json()
    assert (picture["profile"]["level"], picture["profile"]["email"], picture["orders"]) == (0, None, [])
    assert exchange.client.get(f"/v1/staff/users/{wallet(7)}").status_code == 200
    assert exchange.client.get("/v1/staff/users/0x1234").json()["error"] == {
        "code": "INVALID_FIELD", "message": "must be a 0x-prefixed 20-byte hex address", "field": "address",
    }  # fmt: skip


def test_a_limit_override_is_audit_logged_with_before_and_after_and_counts_at_the_next_order(
    exchange: Exchange,
) -> None:
    assert exchange.place(5).status_code == 422  # 3,000 USDC over level 0's 1,000: the guard keeps level 0
    csrf = signed_in(exchange, Role.COMPLIANCE)
    path = f"/v1/staff/users/{wallet(5)}/limits"
    body = {"withdrawalDaily": None, "withdrawal30d": None, "maxOrderNotional": str(5_000 * USDC_UNIT)}
    answer = exchange.client.put(path, json={**body, "reason": "market maker, contract signed"}, headers=csrf)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["overridden"], answer.json()["limits"]["maxOrderNotional"]) == (
        ["maxOrderNotional"], "5000000000"
    )  # fmt: skip
    assert exchange.place(5).status_code == 201  # at once, though the guard had kept level 0
    [entry] = audit_entries(exchange.container, "limits.override")
    assert (entry.actor, entry.target, entry.ip) == ("staff:compliance@hdex.example", wallet(5), STAFF_IP)
    assert entry.before == {"withdrawal_daily": None, "withdrawal_30d": None, "max_order_notional": None}
    assert entry.after == {
        "withdrawal_daily": None, "withdrawal_30d": None, "max_order_notional": "5000000000",
        "reason": "market maker, contract signed",
    }  # fmt: skip

    back = exchange.client.put(path, json={"reason": "contract ended"}, headers=csrf)  # every limit: the level's
    assert (back.status_code, back.json()["overridden"]) == (200, [])
    assert exchange.place(5).status_code == 422
    latest = audit_entries(exchange.container, "limits.override")[0]
    assert (latest.before["max_order_notional"], latest.after["max_order_notional"]) == ("5000000000", None)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"maxOrderNotional": "12.5", "reason": "r"}, 422, "INVALID_FIELD"),
        ({"maxOrderNotional": str(2**256), "reason": "r"}, 422, "AMOUNT_OUT_OF_RANGE"),
        ({"maxOrderNotional": "1"}, 422, "INVALID_FIELD"),
        ({"maxOrderNotional": "1", "reason": "r", "level": 2}, 422, "INVALID_FIELD"),
    ],
)
def test_a_malformed_override_is_refused_and_changes_nothing(
    exchange: Exchange, body: dict[str, Any], status: int, code: str
) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    before = back_office_state(exchange.container)
    answer = exchange.client.put(f"/v1/staff/users/{wallet(5)}/limits", json=body, headers=csrf)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
    assert back_office_state(exchange.container) == before


def test_an_override_without_the_csrf_token_is_refused_and_changes_nothing(exchange: Exchange) -> None:
    signed_in(exchange, Role.ADMIN)
    before = back_office_state(exchange.container)
    answer = exchange.client.put(f"/v1/staff/users/{wallet(5)}/limits", json={"maxOrderNotional": "1", "reason": "r"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "STAFF_CSRF_FAILED")
    assert back_office_state(exchange.container) == before
