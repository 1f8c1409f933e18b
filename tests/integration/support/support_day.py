"""A day at the support desk through every operation (the wallet's and staff's), successes and typed errors,
for the tests that check each documented response: test_openapi_support.py calls it with its recording
`call`; tests/integration/api/test_openapi_responses.py may call it in its trading day as well."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..api.siwe_messages import sign_in_body

PASSWORD = "correct horse battery staple"
EMAIL = "support-day@hdex.example"
SIGNER = 8  # a dev wallet the trading and accounts days do not use
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _file(data: bytes) -> dict[str, Any]:
    return {"attachment": ("screenshot.png", io.BytesIO(data), "image/png")}


def a_support_day(call: Callable[..., Any], container: Container) -> None:
    """A wallet opens a ticket with a screenshot; support answers (with a file too), notes, assigns, resolves;
    the wallet replies (with a file too) and closes; saved replies are made, changed and removed; the figures
    are read."""
    tickets = "/v1/support/tickets"
    call("GET", tickets, 401)
    nonce = call("GET", "/v1/auth/nonce", 200)["nonce"]
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(nonce, SIGNER))
    form = {"category": "deposit", "subject": "Deposit missing", "message": "Where is it?"}
    opened = call("POST", tickets, 201, data=form, files={"attachment": ("shot.png", io.BytesIO(PNG), "image/png")})
    call("POST", tickets, 415, data=form, files={"attachment": ("shot.png", io.BytesIO(b"MZ" + b"\0" * 64), "x/y")})
    call("POST", tickets, 422, data={**form, "category": "lottery"})
    call("GET", tickets, 200, params={"limit": 10})
    ticket_id = opened["ticket"]["id"]
    one = "/v1/support/tickets/{ticketId}"
    call("GET", one, 200, f"{tickets}/{ticket_id}")
    call("GET", one, 404, f"{tickets}/99999")
    own_file = f"{one}/attachments/{{attachmentId}}"
    sent_id = opened["messages"][0]["attachments"][0]["id"]
    call("GET", own_file, 200, f"{tickets}/{ticket_id}/attachments/{sent_id}")
    call("GET", own_file, 404, f"{tickets}/{ticket_id}/attachments/99999")

    created = StaffAccounts(container).create(EMAIL, Role.SUPPORT, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": EMAIL, "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}
    base = "/v1/staff/support"
    call("GET", f"{base}/tickets", 200, params={"status": "open", "assignee": "none"})
    call("GET", f"{base}/tickets", 422, params={"status": "lost"})
    path = f"{base}/tickets/{ticket_id}"
    call("GET", f"{base}/tickets/{{ticketId}}", 200, path)
    call("GET", f"{base}/tickets/{{ticketId}}", 404, f"{base}/tickets/99999")
    call("GET", f"{base}/assignees", 200)
    call("POST", f"{base}/tickets/{{ticketId}}/assign", 200, f"{path}/assign", json={"assignee": EMAIL}, headers=csrf)
    call("POST", f"{base}/tickets/{{ticketId}}/assign", 422, f"{path}/assign", json={"assignee": "x@y.z"},
         headers=csrf)  # fmt: skip
    messages = f"{base}/tickets/{{ticketId}}/messages"
    detail = call("POST", messages, 201, f"{path}/messages", json={"body": "note", "internal": True}, headers=csrf)
    call("POST", messages, 201, f"{path}/messages", json={"body": "We are on it."}, headers=csrf)
    call("POST", messages, 201, f"{path}/messages", data={"body": "Our receipt"}, files=_file(PNG), headers=csrf)
    call("POST", messages, 404, f"{base}/tickets/99999/messages", json={"body": "x"}, headers=csrf)
    attachment_id = detail["messages"][0]["attachments"][0]["id"]
    call("GET", f"{base}/attachments/{{attachmentId}}", 200, f"{base}/attachments/{attachment_id}")
    call("GET", f"{base}/attachments/{{attachmentId}}", 404, f"{base}/attachments/99999")
    status = f"{base}/tickets/{{ticketId}}/status"
    call("POST", status, 200, f"{path}/status", json={"status": "resolved"}, headers=csrf)
    call("POST", status, 409, f"{path}/status", json={"status": "resolved"}, headers=csrf)

    call("POST", f"{one}/replies", 201, f"{tickets}/{ticket_id}/replies", json={"body": "Thanks, and one more thing"})
    call("POST", f"{one}/replies", 422, f"{tickets}/{ticket_id}/replies", json={"body": ""})
    call("POST", f"{one}/replies", 201, f"{tickets}/{ticket_id}/replies", data={"body": "The tx"}, files=_file(PNG))
    call("POST", f"{one}/replies", 415, f"{tickets}/{ticket_id}/replies", data={"body": "x"}, files=_file(b"MZ" * 9))
    call("POST", f"{one}/close", 200, f"{tickets}/{ticket_id}/close")
    call("POST", f"{one}/close", 409, f"{tickets}/{ticket_id}/close")
    call("POST", f"{one}/replies", 409, f"{tickets}/{ticket_id}/replies", json={"body": "late"})

    saved = f"{base}/saved-replies"
    reply = call("POST", saved, 201, json={"title": "Deposits", "body": "12 confirmations"}, headers=csrf)
    call("POST", saved, 409, json={"title": "Deposits", "body": "again"}, headers=csrf)
    call("GET", saved, 200)
    one_saved = f"{saved}/{{savedReplyId}}"
    call("PUT", one_saved, 200, f"{saved}/{reply['id']}", json={"title": "Deposits", "body": "20"}, headers=csrf)
    call("PUT", one_saved, 404, f"{saved}/99999", json={"title": "t", "body": "b"}, headers=csrf)
    call("DELETE", one_saved, 200, f"{saved}/{reply['id']}", headers=csrf)
    call("DELETE", one_saved, 404, f"{saved}/{reply['id']}", headers=csrf)
    call("GET", f"{base}/stats", 200, params={"from": "2026-01-01", "to": "2026-01-31"})
    call("GET", f"{base}/stats", 422, params={"from": "2026-02-01", "to": "2026-01-31"})
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
    call("POST", "/v1/auth/logout", 200)
