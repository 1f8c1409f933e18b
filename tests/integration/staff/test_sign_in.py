"""Staff sign in with a password and then a TOTP code, into a session cookie of their own."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from backend.api.deps import get_staff_sign_in
from backend.bootstrap import Container
from backend.db.models import StaffAccount
from backend.staff import credentials
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.staff.signin import StaffSignIn

from .conftest import PASSWORD, Member, code_for, make_staff, sign_in


def test_an_admin_signs_in_with_password_and_totp_and_the_session_says_who_they_are(
    client: TestClient, admin: Member
) -> None:
    login = client.post("/v1/staff/auth/login", json={"email": "Admin@HDEX.example", "password": PASSWORD})
    assert login.status_code == 200
    assert login.json()["totpSetup"] is None  # the CLI showed the set-up already
    assert "hdex_staff" not in client.cookies  # a password alone opens nothing
    totp = client.post("/v1/staff/auth/totp", json={"challenge": login.json()["challenge"], "code": code_for(admin)})
    assert totp.status_code == 200
    cookie = totp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/v1/staff" in cookie
    session = client.get("/v1/staff/auth/session").json()
    assert session["staff"]["email"] == "admin@hdex.example"
    assert session["csrfToken"] == totp.json()["csrfToken"]
    me = client.get("/v1/staff/me").json()
    assert me["role"] == "admin" and "staff.manage" in me["permissions"]


def test_a_password_hashed_with_older_parameters_is_hashed_again_at_the_next_sign_in(
    client: TestClient, container: Container, admin: Member
) -> None:
    """Raising the hash's cost upgrades each account as its member next signs in (only then is the password known)."""
    older = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash(PASSWORD)
    with container.uow() as uow:
        uow.session.get_one(StaffAccount, admin.id).password_hash = older
        uow.commit()

    sign_in(client, admin)

    with container.uow() as uow:
        upgraded = uow.session.get_one(StaffAccount, admin.id).password_hash
    assert upgraded != older and not credentials.needs_rehash(upgraded)
    assert credentials.password_matches(upgraded, PASSWORD)


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(
    client: TestClient, admin: Member
) -> None:
    wrong = client.post("/v1/staff/auth/login", json={"email": admin.email, "password": "not the password"})
    unknown = client.post("/v1/staff/auth/login", json={"email": "nobody@hdex.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "STAFF_BAD_CREDENTIALS"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_repeated_failures_lock_an_unknown_e_mail_as_they_lock_an_account_so_a_lock_says_nothing(
    client: TestClient, container: Container, admin: Member
) -> None:
    """The lock-out answered only real accounts 429 STAFF_LOCKED: five guesses told anyone which e-mails are
    staff. An e-mail without an active account (unknown, or disabled) is now counted and locked the same way."""
    disabled = make_staff(container, "gone@hdex.example", Role.SUPPORT)
    StaffAccounts(container).disable(disabled.id, Actor("cli:test"), "left")

    def answers(email: str) -> list[tuple[int, str, bool]]:
        replies = [client.post("/v1/staff/auth/login", json={"email": email, "password": f"guess {n}"})
                   for n in range(6)]  # fmt: skip
        return [(r.status_code, r.json()["error"]["code"], "retry-after" in r.headers) for r in replies]

    real, unknown, gone = answers(admin.email), answers("nobody@hdex.example"), answers(disabled.email)
    assert real == unknown == gone
    assert real == [(401, "STAFF_BAD_CREDENTIALS", False)] * 4 + [(429, "STAFF_LOCKED", True)] * 2


def test_a_totp_code_is_refused_the_second_time(client: TestClient, admin: Member) -> None:
    code = code_for(admin)
    first = client.post("/v1/staff/auth/login", json={"email": admin.email, "password": PASSWORD}).json()
    assert client.post("/v1/staff/auth/totp", json={"challenge": first["challenge"], "code": code}).status_code == 200
    client.cookies.clear()
    second = client.post("/v1/staff/auth/login", json={"email": admin.email, "password": PASSWORD}).json()
    replay = client.post("/v1/staff/auth/totp", json={"challenge": second["challenge"], "code": code})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "STAFF_TOTP_INVALID"
    assert "hdex_staff" not in client.cookies
    assert client.get("/v1/staff/me").status_code == 401


def test_a_recovery_code_signs_in_once(client: TestClient, admin: Member) -> None:
    def attempt() -> int:
        login = client.post("/v1/staff/auth/login", json={"email": admin.email, "password": PASSWORD}).json()
        body = {"challenge": login["challenge"], "recoveryCode": admin.recovery_codes[0].upper()}
        return client.post("/v1/staff/auth/totp", json=body).status_code

    assert attempt() == 200
    client.cookies.clear()
    assert attempt() == 401


def test_a_new_member_sets_up_totp_at_the_first_sign_in_and_gets_recovery_codes(
    client: TestClient, container: Container, admin: Member
) -> None:
    member = make_staff(container, "fresh@hdex.example", Role.SUPPORT)
    csrf = sign_in(client, admin)
    assert client.post(f"/v1/staff/staff/{member.id}/totp-reset", json={"reason": "lost phone"},
                       headers={"X-CSRF-Token": csrf}).status_code == 200  # fmt: skip
    client.cookies.clear()
    login = client.post("/v1/staff/auth/login", json={"email": member.email, "password": PASSWORD}).json()
    setup = login["totpSetup"]
    assert setup["uri"].startswith("otpauth://totp/HDEX:fresh%40hdex.example?secret=")
    assert setup["qrSvg"].lstrip().startswith("<?xml") or "<svg" in setup["qrSvg"]
    new = Member(member.id, member.email, setup["secret"], [])
    signed_in = client.post("/v1/staff/auth/totp", json={"challenge": login["challenge"], "code": code_for(new)})
    assert signed_in.status_code == 200
    assert len(signed_in.json()["recoveryCodes"]) == 10


def test_sign_out_ends_the_session_on_the_server(client: TestClient, admin: Member) -> None:
    csrf = sign_in(client, admin)
    token = client.cookies["hdex_staff"]
    assert client.post("/v1/staff/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    client.cookies.set("hdex_staff", token, path="/v1/staff")
    assert client.get("/v1/staff/me").status_code == 401


def test_a_session_ends_when_idle_too_long_and_at_its_absolute_expiry(container: Container, admin: Member) -> None:
    now = [1_900_000_000_000]
    service = StaffSignIn(container, clock=lambda: now[0])

    def new_session() -> str:
        challenge = service.start(admin.email, PASSWORD, "203.0.113.7").token
        return service.finish(challenge, "203.0.113.7", code=pyotp.TOTP(admin.secret).at(now[0] / 1000)).token

    idle_ms = container.settings.staff_session_idle_s * 1000
    token = new_session()
    now[0] += idle_ms - 1000
    assert service.find(token) is not None  # and the request moves its last-seen time on
    now[0] += idle_ms - 1000
    assert service.find(token) is not None
    now[0] += idle_ms
    assert service.find(token) is None

    token = new_session()
    deadline = now[0] + container.settings.staff_session_max_s * 1000
    while now[0] + idle_ms // 2 < deadline:
        now[0] += idle_ms // 2
        assert service.find(token) is not None
    now[0] = deadline
    assert service.find(token) is None


@pytest.mark.parametrize("background", [True, False], ids=["the page's poll", "the member's read"])
def test_only_the_members_own_reads_keep_a_session_from_idling_out(
    client: TestClient, container: Container, admin: Member, background: bool
) -> None:
    """A page left open polls (the withdrawal pause, alerts, its own permissions): those reads once counted as the
    member's activity, and a back office left open on such a tab never idled out."""
    now = [time.time_ns() // 1_000_000]
    app: Any = client.app
    app.dependency_overrides[get_staff_sign_in] = lambda: StaffSignIn(container, clock=lambda: now[0])
    sign_in(client, admin)
    idle_ms = container.settings.staff_session_idle_s * 1000
    headers = {"X-Staff-Background": "1"} if background else {}
    now[0] += idle_ms - 1000
    assert client.get("/v1/staff/risk/withdrawals", headers=headers).status_code == 200
    now[0] += 2000  # past the idle window since the sign-in, within it since the read
    answer = client.get("/v1/staff/me")
    assert answer.status_code == (401 if background else 200), answer.text
