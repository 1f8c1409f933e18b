"""Password links arrive by real SMTP, work once, and not after they expire."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.bootstrap import Container
from backend.db.models import StaffAccount
from backend.errors import HdexError
from backend.staff.signin import StaffSignIn

from .conftest import PASSWORD, Inbox, Member, sign_in

NEW_PASSWORD = "a much longer new passphrase"


def _token(inbox: Inbox, count: int) -> str:
    mail = inbox.wait_for(count)
    found = re.search(r"/staff/reset-password#token=([A-Za-z0-9_-]+)", mail.get_payload(decode=True).decode())
    assert found is not None
    return found.group(1)


def _password_hash(container: Container, member: Member) -> str | None:
    with container.uow() as uow:
        return uow.session.scalar(select(StaffAccount.password_hash).where(StaffAccount.id == member.id))


def test_a_reset_link_mailed_over_smtp_sets_a_new_password_once(
    client: TestClient, container: Container, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    unknown = client.post("/v1/staff/auth/password-reset", json={"email": "nobody@hdex.example"})
    asked = client.post("/v1/staff/auth/password-reset", json={"email": admin.email})
    assert unknown.status_code == asked.status_code == 202 and unknown.json() == asked.json()
    token = _token(box, 1)
    assert box.mails[0]["To"] == admin.email and len(box.mails) == 1
    confirmed = client.post("/v1/staff/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert confirmed.status_code == 200
    stored = _password_hash(container, admin)
    reused = client.post("/v1/staff/auth/password-reset/confirm", json={"token": token, "password": "yet another one!"})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "STAFF_RESET_LINK_INVALID"
    assert _password_hash(container, admin) == stored
    assert client.post("/v1/staff/auth/login", json={"email": admin.email, "password": PASSWORD}).status_code == 401
    assert client.post("/v1/staff/auth/login", json={"email": admin.email, "password": NEW_PASSWORD}).status_code == 200


def test_an_expired_reset_link_is_refused_and_changes_nothing(
    container: Container, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    now = [2_000_000_000_000]
    service = StaffSignIn(container, clock=lambda: now[0])
    service.request_reset(admin.email, "http://testserver", "203.0.113.7")
    token = _token(box, 1)
    before = _password_hash(container, admin)
    now[0] += container.settings.staff_reset_ttl_s * 1000
    try:
        service.confirm_reset(token, NEW_PASSWORD, "203.0.113.7")
        raise AssertionError("an expired link was accepted")
    except HdexError as exc:
        assert exc.code == "STAFF_RESET_LINK_INVALID"
    assert _password_hash(container, admin) == before


def test_a_weak_password_is_refused_and_the_link_still_works(
    client: TestClient, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    client.post("/v1/staff/auth/password-reset", json={"email": admin.email})
    token = _token(inbox[0], 1)
    weak = client.post("/v1/staff/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "STAFF_WEAK_PASSWORD"
    ok = client.post("/v1/staff/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert ok.status_code == 200


def test_a_new_member_is_invited_by_mail_and_sets_a_password(
    client: TestClient, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    csrf = sign_in(client, admin)
    created = client.post("/v1/staff/staff", json={"email": "new@hdex.example", "role": "compliance"},
                          headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert created.status_code == 201 and created.json()["totpEnrolled"] is False
    token = _token(inbox[0], 1)
    assert client.post("/v1/staff/auth/password-reset/confirm",
                       json={"token": token, "password": NEW_PASSWORD}).status_code == 200  # fmt: skip
    login = client.post("/v1/staff/auth/login", json={"email": "new@hdex.example", "password": NEW_PASSWORD})
    assert login.json()["totpSetup"]["uri"].startswith("otpauth://totp/")
