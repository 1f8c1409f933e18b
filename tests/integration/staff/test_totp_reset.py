"""Resetting the two-step sign-in is for a member who has set it up (a lost phone): an invited member who has
not signed in yet has nothing to reset, and the server says so instead of recording a reset that did nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.staff.roles import Role

from .conftest import Member, make_staff, sign_in


def test_a_member_who_has_not_set_up_totp_yet_is_refused_a_reset_and_nothing_is_recorded(
    client: TestClient, container: Container, admin: Member
) -> None:
    csrf = {"X-CSRF-Token": sign_in(client, admin)}
    invited = client.post("/v1/staff/staff", json={"email": "new@hdex.example", "role": "support"}, headers=csrf)
    assert invited.status_code == 201 and invited.json()["totpEnrolled"] is False
    staff_id = invited.json()["id"]
    response = client.post(f"/v1/staff/staff/{staff_id}/totp-reset", json={"reason": "lost phone"}, headers=csrf)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("INVALID_FIELD", "staffId"), error
    assert "new@hdex.example has not set up two-step sign-in yet" in error["message"]
    with container.session_factory() as session:
        actions = [entry.action for entry in list_entries(session, AuditFilter(action="staff"), 100)]
    assert "staff.totp_reset" not in actions


def test_a_member_who_has_set_up_totp_can_have_it_reset(
    client: TestClient, container: Container, admin: Member
) -> None:
    member = make_staff(container, "phone-lost@hdex.example", Role.SUPPORT)
    csrf = {"X-CSRF-Token": sign_in(client, admin)}
    response = client.post(f"/v1/staff/staff/{member.id}/totp-reset", json={"reason": "lost phone"}, headers=csrf)
    assert response.status_code == 200, response.text
    assert response.json()["totpEnrolled"] is False
