"""The statistics doors, successes and typed errors, for the OpenAPI conformance test
(tests/integration/api/test_openapi_responses.py: add `a_stats_day(call, exchange.container)` to its day):
the public volume and markets after a rollup pass, a behaviour event, an auditor reading every staff table as
JSON and one as CSV, and the refusals (a bad range, an unknown table or event kind, signed out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.stats.service import StatsWorker

PASSWORD = "correct horse battery staple"
EMAIL = "stats-day@hdex.example"
WALLET = "0x" + "5a" * 20


def a_stats_day(call: Callable[..., Any], container: Container) -> None:
    """Rolls up what the day did so far, then reads it through every statistics operation."""
    StatsWorker(container, read_chain=False).run_once()
    call("GET", "/v1/stats/markets", 200)
    call("GET", "/v1/stats/volume", 200, params={"from": "2026-01-01", "to": "2026-01-31"})
    call("GET", "/v1/stats/markets", 422, params={"from": "2026-02-01", "to": "2026-01-01"})
    call("POST", "/v1/stats/events", 200, json={"event": "wallet_connected", "wallet": WALLET})
    call("POST", "/v1/stats/events", 422, json={"event": "page_view", "wallet": WALLET})
    call("GET", "/v1/staff/stats/{table}", 401, "/v1/staff/stats/users")
    created = StaffAccounts(container).create(EMAIL, Role.AUDITOR, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": EMAIL, "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}
    for table in ("markets", "volume", "tokens", "users", "fees", "funnel", "cohorts"):
        call("GET", "/v1/staff/stats/{table}", 200, f"/v1/staff/stats/{table}")
    call("GET", "/v1/staff/stats/{table}", 200, "/v1/staff/stats/fees", params={"format": "csv"})
    call("GET", "/v1/staff/stats/{table}", 404, "/v1/staff/stats/wallets")
    call("GET", "/v1/staff/stats/{table}", 422, "/v1/staff/stats/users", params={"from": "someday"})
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)  # the next day starts signed out
