"""Each refused attack changes nothing: brute force locks the account with back-off, a request without its
CSRF token or permission is refused, text with HTML in it is stored and returned as text."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.api.app import create_app
from backend.api.client_ip import client_key
from backend.bootstrap import Container
from backend.db.models import StaffAccount, StaffSession, StaffSignInFailures
from backend.errors import HdexError
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.staff.signin import StaffSignIn

from ..conftest import free_port
from .conftest import PASSWORD, Member, build_container, code_for, make_staff, outcome_behind_locks, sign_in


def _login(client: TestClient, email: str, password: str) -> tuple[int, str, dict[str, str]]:
    response = client.post("/v1/staff/auth/login", json={"email": email, "password": password})
    return (
        response.status_code,
        response.json()["error"]["code"] if response.status_code >= 400 else "",
        dict(response.headers),
    )


def test_repeated_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: TestClient, admin: Member
) -> None:
    answers = [_login(client, admin.email, f"wrong guess {n}")[:2] for n in range(5)]
    assert answers[:4] == [(401, "STAFF_BAD_CREDENTIALS")] * 4
    assert answers[4] == (429, "STAFF_LOCKED")
    status, code, headers = _login(client, admin.email, PASSWORD)
    assert (status, code) == (429, "STAFF_LOCKED")
    assert 1 <= int(headers["retry-after"]) <= 60
    assert "hdex_staff" not in client.cookies


def test_the_lock_doubles_with_each_failure_after_it_runs_out(container: Container, admin: Member) -> None:
    now = [1_000_000_000_000]
    sign_in_service = StaffSignIn(container, clock=lambda: now[0])

    def locked_for_s() -> int:
        with container.uow() as uow:
            row = uow.session.get(StaffSignInFailures, (admin.email, "203.0.113.7"))
            assert row is not None and row.locked_until_ms is not None
            return (row.locked_until_ms - now[0]) // 1000

    def fail() -> None:
        with pytest.raises(HdexError) as refused:
            sign_in_service.start(admin.email, "wrong guess", "203.0.113.7")
        assert refused.value.code in ("STAFF_BAD_CREDENTIALS", "STAFF_LOCKED")

    for _ in range(5):
        fail()
    assert locked_for_s() == 60
    now[0] += 61_000
    fail()
    assert locked_for_s() == 120
    now[0] += 121_000
    fail()
    assert locked_for_s() == 240
    now[0] += 241_000
    assert sign_in_service.start(admin.email, PASSWORD, "203.0.113.7").token  # the right password works again


def test_a_strangers_wrong_passwords_lock_out_the_stranger_not_the_member_elsewhere(
    container: Container, admin: Member
) -> None:
    """Locked for the whole account, anyone who knew a member's e-mail kept them out with a wrong password an hour.
    Wrong passwords lock the client that sent them (its key: an IPv6 /64 is one client); a wrong second factor,
    which takes the password, still locks the whole account."""
    service = StaffSignIn(container)
    stranger, neighbour, member = "2001:db8:1:2::7", "2001:db8:1:2::99", "203.0.113.7"

    def attempt(password: str, ip: str) -> str:
        try:
            service.start(admin.email, password, ip, client_key(ip))
        except HdexError as refused:
            return refused.code
        return "challenge"

    assert [attempt("wrong guess", stranger) for _ in range(5)] == ["STAFF_BAD_CREDENTIALS"] * 4 + ["STAFF_LOCKED"]
    assert attempt(PASSWORD, neighbour) == "STAFF_LOCKED"  # the same /64: the same client
    challenge = service.start(admin.email, PASSWORD, member, client_key(member))
    assert service.finish(challenge.token, member, code=code_for(admin), client=client_key(member)).token
    assert attempt(PASSWORD, stranger) == "STAFF_LOCKED"  # the member's sign-in cleared only its own client's count

    wrong = "000000" if code_for(admin) != "000000" else "111111"
    for _ in range(5):  # the second factor, from five addresses: counted for the account
        ip = f"198.51.100.{_ + 1}"
        with pytest.raises(HdexError):
            service.finish(service.start(admin.email, PASSWORD, ip, ip).token, ip, code=wrong, client=ip)
    assert attempt(PASSWORD, member) == "STAFF_LOCKED"


def test_failures_are_forgotten_after_a_quiet_day(container: Container, admin: Member) -> None:
    now = [1_000_000_000_000]
    service = StaffSignIn(container, clock=lambda: now[0])

    def attempt() -> str:
        with pytest.raises(HdexError) as refused:
            service.start(admin.email, "wrong guess", "203.0.113.7")
        return refused.value.code

    assert [attempt() for _ in range(4)] == ["STAFF_BAD_CREDENTIALS"] * 4
    now[0] += 24 * 3600 * 1000 + 1
    assert attempt() == "STAFF_BAD_CREDENTIALS"  # the fifth in a row would lock: the count began again
    with container.uow() as uow:
        assert uow.session.get_one(StaffSignInFailures, (admin.email, "203.0.113.7")).failed_attempts == 1


def test_wrong_totp_codes_count_towards_the_lock_out_too(client: TestClient, admin: Member) -> None:
    codes = []
    for _ in range(5):
        login = client.post("/v1/staff/auth/login", json={"email": admin.email, "password": PASSWORD})
        assert login.status_code == 200
        wrong = "000000" if code_for(admin) != "000000" else "111111"
        codes.append(client.post("/v1/staff/auth/totp", json={"challenge": login.json()["challenge"], "code": wrong}))
    assert [c.status_code for c in codes] == [401, 401, 401, 401, 429]
    assert _login(client, admin.email, PASSWORD)[:2] == (429, "STAFF_LOCKED")


def test_a_state_changing_request_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, container: Container, admin: Member
) -> None:
    member = make_staff(container, "support@hdex.example", Role.SUPPORT)
    csrf = sign_in(client, admin)
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        refused = client.post(f"/v1/staff/staff/{member.id}/role", json={"role": "admin", "reason": "x"},
                              headers=headers)  # fmt: skip
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "STAFF_CSRF_FAILED"
    assert client.get("/v1/staff/staff").json()["staff"][1]["role"] == "support"
    accepted = client.post(f"/v1/staff/staff/{member.id}/role", json={"role": "compliance", "reason": "x"},
                           headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert accepted.status_code == 200 and accepted.json()["role"] == "compliance"


def test_a_request_carrying_two_staff_session_cookies_is_not_signed_in(
    client: TestClient, container: Container, admin: Member
) -> None:
    """A sibling subdomain (over plain http, where the prefix cannot be had) planted its own for the parent domain,
    sent after the member's: read as the session, the back office would run under another member's session (or
    never sign in again, under a junk one)."""
    sign_in(client, admin)
    mine = client.cookies["hdex_staff"]
    theirs = make_staff(container, "mallory@hdex.example", Role.SUPPORT)
    sign_in(client, theirs)
    planted = client.cookies["hdex_staff"]
    client.cookies.clear()

    for second in (planted, "junk"):
        answer = client.get("/v1/staff/auth/session", headers={"cookie": f"hdex_staff={mine}; hdex_staff={second}"})
        assert (answer.status_code, answer.json()["error"]["code"]) == (401, "STAFF_NOT_SIGNED_IN")
        assert "two session cookies" in answer.json()["error"]["message"]
    answer = client.get("/v1/staff/auth/session", headers={"cookie": f"hdex_staff={mine}"})
    assert answer.json()["staff"]["email"] == admin.email
    # the way out: signing out clears this site's cookie and ends neither session (which is whose, none can tell)
    out = client.post("/v1/staff/auth/logout", headers={"cookie": f"hdex_staff={mine}; hdex_staff={planted}"})
    assert out.json() == {"signedOut": True} and 'hdex_staff=""' in out.headers["set-cookie"]
    for token in (mine, planted):
        assert client.get("/v1/staff/auth/session", headers={"cookie": f"hdex_staff={token}"}).status_code == 200


def test_the_staff_cookie_is_secure_and_host_only_outside_development(
    database_url: str, tmp_path: Path, inbox: tuple[object, int]
) -> None:
    """`__Host-` on Path=/: a sibling subdomain can neither set the staff cookie nor shadow it."""
    container = build_container(database_url, tmp_path, inbox[1], env="test")
    try:
        member = make_staff(container, "admin@hdex.example", Role.ADMIN)
        with TestClient(create_app(container), client=("203.0.113.7", 50000)) as client:
            login = client.post("/v1/staff/auth/login", json={"email": member.email, "password": PASSWORD})
            answer = client.post(
                "/v1/staff/auth/totp", json={"challenge": login.json()["challenge"], "code": code_for(member)}
            )
            name, _, token = answer.headers["set-cookie"].split(";")[0].partition("=")
            flags = {part.strip().lower() for part in answer.headers["set-cookie"].split(";")[1:]}
            assert name == "__Host-hdex_staff"
            assert {"secure", "httponly", "samesite=strict", "path=/"} <= flags
            assert not any(flag.startswith("domain=") for flag in flags)
            client.cookies.clear()  # a Secure cookie over this plain-http test client: sent by hand
            session = client.get("/v1/staff/auth/session", headers={"cookie": f"__Host-hdex_staff={token}"})
            assert session.json()["staff"]["email"] == member.email
            plain = client.get("/v1/staff/auth/session", headers={"cookie": f"hdex_staff={token}"})
            assert plain.status_code == 401
    finally:
        container.db_engine.dispose()


def test_a_support_user_is_refused_admin_and_audit_endpoints_with_403(
    client: TestClient, container: Container, admin: Member
) -> None:
    support = make_staff(container, "support@hdex.example", Role.SUPPORT)
    csrf = sign_in(client, support)
    calls = [
        client.get("/v1/staff/audit-log"),
        client.get("/v1/staff/staff"),
        client.post("/v1/staff/staff", json={"email": "new@hdex.example", "role": "admin"},
                    headers={"X-CSRF-Token": csrf}),
        client.post(f"/v1/staff/staff/{admin.id}/disable", json={"reason": "coup"}, headers={"X-CSRF-Token": csrf}),
        client.post(f"/v1/staff/staff/{support.id}/role", json={"role": "admin", "reason": "self-promotion"},
                    headers={"X-CSRF-Token": csrf}),
    ]  # fmt: skip
    assert [c.status_code for c in calls] == [403] * len(calls)
    assert {c.json()["error"]["code"] for c in calls} == {"STAFF_FORBIDDEN"}
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(StaffAccount)) == 2
        roles = dict(uow.session.execute(select(StaffAccount.email, StaffAccount.role)).all())
    assert roles == {"admin@hdex.example": "admin", "support@hdex.example": "support"}
    assert client.get("/v1/staff/me").json()["role"] == "support"


def test_html_and_script_in_text_fields_are_stored_and_returned_as_inert_json_text(
    client: TestClient, container: Container, admin: Member
) -> None:
    member = make_staff(container, "support@hdex.example", Role.SUPPORT)
    csrf = sign_in(client, admin)
    reason = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert client.post(f"/v1/staff/staff/{member.id}/disable", json={"reason": reason},
                       headers={"X-CSRF-Token": csrf}).status_code == 200  # fmt: skip
    page = client.get("/v1/staff/audit-log", params={"action": "staff.disable"})
    assert page.headers["content-type"] == "application/json"
    assert page.json()["entries"][0]["after"] == {"disabled": True, "reason": reason}
    bad_email = client.post("/v1/staff/staff", json={"email": "<script>@x.y", "role": "support"},
                            headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert bad_email.status_code == 422


def test_a_disabled_member_loses_their_session_at_once(client: TestClient, container: Container, admin: Member) -> None:
    other = make_staff(container, "second@hdex.example", Role.ADMIN)
    csrf = sign_in(client, admin)
    client.post(f"/v1/staff/staff/{other.id}/disable", json={"reason": "left"}, headers={"X-CSRF-Token": csrf})
    last = client.post(f"/v1/staff/staff/{admin.id}/disable", json={"reason": "x"}, headers={"X-CSRF-Token": csrf})
    assert last.status_code == 409 and last.json()["error"]["code"] == "STAFF_LAST_ADMIN"
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(StaffSession.staff_id == other.id)) == 0


def test_an_invited_admin_counts_as_another_admin_only_once_they_can_sign_in(
    container: Container, admin: Member
) -> None:
    """Every admin not disabled counted, invitations never taken up among them: the only admin who could sign
    in could invite another, then demote or disable themself, and nobody was left to sign in as admin."""
    accounts, actor, ip = StaffAccounts(container), Actor("staff:admin@hdex.example"), "203.0.113.7"
    sign_in_service = StaffSignIn(container)
    invited = accounts.create("second@hdex.example", Role.ADMIN, actor)
    assert invited.invite_token is not None

    def refused_as_the_last_admin() -> None:
        for change in (partial(accounts.change_role, admin.id, Role.SUPPORT), partial(accounts.disable, admin.id)):
            with pytest.raises(HdexError) as refused:
                change(actor, "leaving")
            assert refused.value.code == "STAFF_LAST_ADMIN"

    refused_as_the_last_admin()  # invited: no password yet
    sign_in_service.confirm_reset(invited.invite_token, "a much longer new passphrase", ip)
    refused_as_the_last_admin()  # a password, no TOTP app yet
    challenge = sign_in_service.start("second@hdex.example", "a much longer new passphrase", ip)
    assert challenge.totp_setup is not None
    sign_in_service.finish(challenge.token, ip, code=pyotp.TOTP(challenge.totp_setup.secret).now())
    assert accounts.change_role(admin.id, Role.SUPPORT, actor, "handed over").role is Role.SUPPORT


def test_the_only_admin_who_can_sign_in_can_withdraw_an_admin_invitation(container: Container, admin: Member) -> None:
    accounts, actor = StaffAccounts(container), Actor("staff:admin@hdex.example")
    demoted, disabled = (accounts.create(f"invited{n}@hdex.example", Role.ADMIN, actor).member for n in (1, 2))
    assert accounts.change_role(demoted.id, Role.SUPPORT, actor, "wrong role").role is Role.SUPPORT
    assert accounts.disable(disabled.id, actor, "never came").disabled


def test_two_admins_disabling_each_other_at_once_leave_one_admin(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL, READ COMMITTED: a count of active admins taken without locks lets two concurrent disables
    (each seeing two admins) both commit. One disable is held open mid-way in another session; the second must
    wait for it and then refuse."""
    container = build_container(postgres_url, tmp_path, free_port())
    try:
        first, second = (make_staff(container, f"admin{i}@hdex.example", Role.ADMIN) for i in (1, 2))
        accounts = StaffAccounts(container)
        with container.session_factory() as held:  # the first disable, begun and not committed
            admins = select(StaffAccount).where(StaffAccount.role == Role.ADMIN.value, StaffAccount.disabled.is_(False))
            assert len(held.scalars(admins.with_for_update()).all()) == 2
            held.get_one(StaffAccount, first.id).disabled = True
            held.flush()
            outcome = outcome_behind_locks(
                container, held, lambda: accounts.disable(second.id, Actor("staff:admin1@hdex.example"), "left")
            )
        assert outcome == "STAFF_LAST_ADMIN"
        with container.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(admins.subquery())) == 1
    finally:
        container.db_engine.dispose()
