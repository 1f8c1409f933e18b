"""Alerts and cases through the staff API, successes and typed errors, for the OpenAPI conformance test
(tests/integration/api/test_openapi_responses.py): list and close alerts, a case opened, assigned, noted,
moved to closed, reopened, listed, read and exported as JSON and HTML. (A signed-in event stream never ends,
so only its refusal is here; test_staff_alerts.py reads an event from one.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.alerts import AlertKind, Severity, raise_alert
from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

PASSWORD = "correct horse battery staple"
EMAIL = "cases-day@hdex.example"


def a_cases_day(call: Callable[..., Any], container: Container) -> None:
    """A compliance officer works two alerts: closes one, opens a case over the other and takes it to closed."""
    with container.uow() as uow:
        subject = "wallet:0x" + "7a" * 20
        ids = []
        for kind in (AlertKind.STRUCTURING, AlertKind.VELOCITY):
            row = raise_alert(uow.session, kind, Severity.WARNING, kind.value, subject=subject, details={"n": 1})
            assert row is not None
            ids.append(row.id)
        uow.commit()
    call("GET", "/v1/staff/alerts", 401)
    call("GET", "/v1/staff/alerts/stream", 401)  # a signed-in stream never ends: test_staff_alerts.py reads one
    created = StaffAccounts(container).create(EMAIL, Role.COMPLIANCE, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": EMAIL, "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}

    call("GET", "/v1/staff/alerts", 200, params={"status": "open", "limit": 1})
    call("GET", "/v1/staff/alerts", 422, params={"severity": "urgent"})
    close = "/v1/staff/alerts/{alertId}/close"
    call("POST", close, 200, f"/v1/staff/alerts/{ids[1]}/close", json={"reason": "known market maker"}, headers=csrf)
    call("POST", close, 404, "/v1/staff/alerts/99999/close", json={"reason": "r"}, headers=csrf)
    call("POST", close, 409, f"/v1/staff/alerts/{ids[1]}/close", json={"reason": "r"}, headers=csrf)
    call("POST", close, 422, f"/v1/staff/alerts/{ids[0]}/close", json={"reason": ""}, headers=csrf)

    case = call("POST", "/v1/staff/cases", 201, json={"alertIds": [ids[0]], "title": "Structuring"}, headers=csrf)
    call("POST", "/v1/staff/cases", 404, json={"alertIds": [99999], "title": "t"}, headers=csrf)
    path = f"/v1/staff/cases/{case['id']}"
    call("POST", "/v1/staff/cases/{caseId}/assign", 200, f"{path}/assign", json={"assignee": EMAIL}, headers=csrf)
    call("POST", "/v1/staff/cases/{caseId}/notes", 201, f"{path}/notes", json={"body": "looked"}, headers=csrf)
    status = "/v1/staff/cases/{caseId}/status"
    call("POST", status, 200, f"{path}/status", json={"status": "escalated"}, headers=csrf)
    call("POST", status, 409, f"{path}/status", json={"status": "closed"}, headers=csrf)
    call("POST", status, 200, f"{path}/status", json={"status": "closed", "reason": "SAR filed"}, headers=csrf)
    call("POST", status, 200, f"{path}/status", json={"status": "open", "reason": "new deposits"}, headers=csrf)
    call("GET", "/v1/staff/cases", 200, params={"status": "open", "assignee": EMAIL})
    call("GET", "/v1/staff/cases/assignees", 200)
    call("GET", "/v1/staff/cases/{caseId}", 200, path)
    call("GET", "/v1/staff/cases/{caseId}", 404, "/v1/staff/cases/99999")
    call("GET", "/v1/staff/cases/{caseId}/report", 200, f"{path}/report")
    call("GET", "/v1/staff/cases/{caseId}/report", 200, f"{path}/report", params={"format": "html"})
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
