"""Sending an invitation again: an admin (staff.manage) mails a new set-your-password link to a member who has not
set a password, the old link stops working, an account in use is refused, and the staff list says who has not
accepted yet."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.staff.roles import Role

from .conftest import Inbox, Member, make_staff, sign_in

NEW_PASSWORD = "a much longer new passphrase"


def _token(inbox: Inbox, count: int) -> str:
    payload = inbox.wait_for(count).get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = re.search(r"/staff/reset-password#token=([A-Za-z0-9_-]+)", payload.decode())
    assert found is not None
    return found.group(1)


def _invite(client: TestClient, csrf: str) -> int:
    created = client.post("/v1/staff/staff", json={"email": "new@hdex.example", "role": "support"},
                          headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert created.status_code == 201 and created.json()["invitationPending"] is True
    return int(created.json()["id"])


def _set_password(client: TestClient, token: str) -> int:
    confirm = client.post("/v1/staff/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    status: int = confirm.status_code
    return status


def test_a_resent_invitation_mails_a_new_link_and_the_old_one_no_longer_works(
    client: TestClient, container: Container, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    csrf = sign_in(client, admin)
    member_id = _invite(client, csrf)
    first = _token(inbox[0], 1)
    resent = client.post(f"/v1/staff/staff/{member_id}/invitation", headers={"X-CSRF-Token": csrf})
    assert resent.status_code == 200, resent.text
    assert resent.json()["invitationMailed"] is True and resent.json()["invitationPending"] is True
    second = _token(inbox[0], 2)
    assert second != first
    assert inbox[0].wait_for(2)["Subject"] == "HDEX staff: your account"

    assert _set_password(client, first) == 401  # replaced
    assert _set_password(client, second) == 200
    listed = {m["email"]: m for m in client.get("/v1/staff/staff").json()["staff"]}
    assert (listed["new@hdex.example"]["invitationPending"], listed[admin.email]["invitationPending"]) == (False, False)
    with container.uow() as uow:
        entries = list_entries(uow.session, AuditFilter(action="staff.invitation_resent"), 10)
    assert [(e.actor, e.target) for e in entries] == [(f"staff:{admin.email}", "staff:new@hdex.example")]


def test_an_invitation_is_not_sent_again_to_a_member_who_accepted_it_or_is_disabled(
    client: TestClient, container: Container, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    csrf = sign_in(client, admin)
    member_id = _invite(client, csrf)
    assert _set_password(client, _token(inbox[0], 1)) == 200
    for refused_id in (member_id, admin.id):  # accepted; signed in with a password from the start
        refused = client.post(f"/v1/staff/staff/{refused_id}/invitation", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "STAFF_EMAIL_TAKEN"
    pending = _invite_other(client, csrf)
    client.post(f"/v1/staff/staff/{pending}/disable", json={"reason": "left"}, headers={"X-CSRF-Token": csrf})
    refused = client.post(f"/v1/staff/staff/{pending}/invitation", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 409 and "disabled" in refused.json()["error"]["message"]
    missing = client.post("/v1/staff/staff/999999/invitation", headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "STAFF_NOT_FOUND"
    with container.uow() as uow:
        assert list_entries(uow.session, AuditFilter(action="staff.invitation_resent"), 10) == []


def _invite_other(client: TestClient, csrf: str) -> int:
    created = client.post("/v1/staff/staff", json={"email": "other@hdex.example", "role": "auditor"},
                          headers={"X-CSRF-Token": csrf})  # fmt: skip
    return int(created.json()["id"])


@pytest.mark.parametrize("role", [Role.COMPLIANCE, Role.SUPPORT, Role.AUDITOR])
def test_only_a_role_that_may_invite_sends_an_invitation_again(
    client: TestClient, container: Container, admin: Member, inbox: tuple[Inbox, int], role: Role
) -> None:
    member_id = _invite(client, sign_in(client, admin))
    client.cookies.clear()
    csrf = sign_in(client, make_staff(container, f"{role.value}@hdex.example", role))
    refused = client.post(f"/v1/staff/staff/{member_id}/invitation", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "STAFF_FORBIDDEN"
    inbox[0].wait_for(1)
    assert len(inbox[0].mails) == 1  # the first invitation only
    no_csrf = client.post(f"/v1/staff/staff/{member_id}/invitation")
    assert no_csrf.status_code == 403
