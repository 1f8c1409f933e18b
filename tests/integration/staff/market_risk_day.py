"""Market risk in the back office through every operation, successes and typed errors, for the OpenAPI
conformance test (tests/integration/api/test_openapi_responses.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.trading.hosting.host import now_ms

from ..api.exchange_fixtures import MARKET, PRICE, Exchange

PASSWORD = "correct horse battery staple"


def a_market_risk_day(call: Callable[..., Any], exchange: Exchange) -> None:
    """An admin reads and changes the market's risk settings, sees a halt on GET /v1/markets and the staff
    view, and ends it early; the market is open with its default settings afterwards."""
    created = StaffAccounts(exchange.container).create("market-risk@hdex.example", Role.ADMIN, Actor("cli:test"),
                                                       PASSWORD)  # fmt: skip
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": "market-risk@hdex.example", "password": PASSWORD})
    body = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=body)["csrfToken"]}
    risk, halt = "/v1/staff/markets/{market}/risk", "/v1/staff/markets/{market}/halt"

    call("GET", risk, 200, f"/v1/staff/markets/{MARKET}/risk")
    call("PUT", risk, 200, f"/v1/staff/markets/{MARKET}/risk", json={"maxOrderBase": "10", "bandBps": 300},
         headers=csrf)  # fmt: skip
    call("PUT", risk, 200, f"/v1/staff/markets/{MARKET}/risk", json={"maxOrderBase": None, "bandBps": None},
         headers=csrf)  # fmt: skip
    call("PUT", risk, 422, f"/v1/staff/markets/{MARKET}/risk", json={"alertBps": 9_999}, headers=csrf)
    call("GET", risk, 404, "/v1/staff/markets/NOPE/risk")
    app: Any = exchange.client.app
    until = now_ms() + 600_000
    exchange.client.portal.call(app.state.trading.halt_market, MARKET, "staff", "token audit", until, PRICE, None)  # type: ignore[union-attr]
    call("GET", "/v1/markets", 200)  # with the halt in force
    call("GET", risk, 200, f"/v1/staff/markets/{MARKET}/risk")
    call("DELETE", halt, 200, f"/v1/staff/markets/{MARKET}/halt", headers=csrf)
    call("DELETE", halt, 404, "/v1/staff/markets/NOPE/halt", headers=csrf)
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
