"""A day in the back office through every staff operation, for tests that check each documented response
(tests/integration/api/test_openapi_responses.py calls it with its recording `call`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

PASSWORD = "correct horse battery staple"


def a_back_office_day(call: Callable[..., Any], container: Container) -> None:
    """Sign in (password, TOTP), read, manage staff, reset a password, sign out; successes and typed errors."""
    created = StaffAccounts(container).create("day-admin@hdex.example", Role.ADMIN, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    secret = created.totp_setup.secret
    call("GET", "/v1/staff/auth/session", 401)
    call("POST", "/v1/staff/auth/login", 401, json={"email": "day-admin@hdex.example", "password": "wrong password"})
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": "day-admin@hdex.example", "password": PASSWORD})
    call("POST", "/v1/staff/auth/totp", 422, json={"challenge": login["challenge"]})
    body = {"challenge": login["challenge"], "code": pyotp.TOTP(secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=body)["csrfToken"]}
    call("GET", "/v1/staff/auth/session", 200)
    call("GET", "/v1/staff/me", 200)
    member = call("POST", "/v1/staff/staff", 201, json={"email": "day-new@hdex.example", "role": "support"},
                  headers=csrf)  # fmt: skip
    call("POST", "/v1/staff/staff", 403, json={"email": "day-x@hdex.example", "role": "support"})
    call("GET", "/v1/staff/staff", 200)
    path = f"/v1/staff/staff/{member['id']}"
    call("POST", "/v1/staff/staff/{staffId}/role", 200, f"{path}/role", json={"role": "auditor", "reason": "audit"},
         headers=csrf)  # fmt: skip
    # not signed in yet: no TOTP set up, nothing to reset
    call("POST", "/v1/staff/staff/{staffId}/totp-reset", 422, f"{path}/totp-reset", json={"reason": "new phone"},
         headers=csrf)  # fmt: skip
    invitation = "/v1/staff/staff/{staffId}/invitation"
    call("POST", invitation, 200, f"{path}/invitation", headers=csrf)  # not accepted yet: a new link
    call("POST", invitation, 404, "/v1/staff/staff/999/invitation", headers=csrf)
    call("POST", "/v1/staff/staff/{staffId}/disable", 200, f"{path}/disable", json={"reason": "left"}, headers=csrf)
    call("POST", "/v1/staff/staff/{staffId}/disable", 404, "/v1/staff/staff/999/disable", json={"reason": "x"},
         headers=csrf)  # fmt: skip
    call("POST", "/v1/staff/staff/{staffId}/disable", 422, "/v1/staff/staff/abc/disable", json={"reason": "x"},
         headers=csrf)  # fmt: skip
    call("GET", "/v1/staff/audit-log", 200, params={"action": "staff.disable"})
    call("POST", "/v1/staff/auth/password-reset", 202, json={"email": "day-admin@hdex.example"})
    call("POST", "/v1/staff/auth/password-reset/confirm", 401, json={"token": "unknown", "password": PASSWORD})
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
