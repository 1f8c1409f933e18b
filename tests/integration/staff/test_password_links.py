"""Password links arrive by real SMTP, work once (also when two confirms race), not after they expire, and
clear no lock-out."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from backend.api.app import create_app
from backend.api.server import ApiServer
from backend.bootstrap import Container
from backend.db.models import StaffAccount, StaffPasswordReset, StaffSignInFailures
from backend.errors import HdexError
from backend.staff import credentials
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role
from backend.staff.signin import ACCOUNT, StaffSignIn

from ..conftest import free_port
from .conftest import PASSWORD, Inbox, Member, build_container, outcome_behind_locks, sign_in

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
    assert created.json()["invitationMailed"] is True
    token = _token(inbox[0], 1)
    assert client.post("/v1/staff/auth/password-reset/confirm",
                       json={"token": token, "password": NEW_PASSWORD}).status_code == 200  # fmt: skip
    login = client.post("/v1/staff/auth/login", json={"email": "new@hdex.example", "password": NEW_PASSWORD})
    assert login.json()["totpSetup"]["uri"].startswith("otpauth://totp/")


def test_an_invitation_whose_mail_could_not_be_sent_says_so_to_the_inviter(sqlite_url: str, tmp_path: Path) -> None:
    """The link is made once and kept nowhere: an inviter told nothing believed the mail had gone."""
    container = build_container(sqlite_url, tmp_path, free_port())  # no SMTP server listens there
    member, mailed = StaffAccounts(container).invite("new@hdex.example", Role.SUPPORT, Actor("cli:test"), "http://x")
    assert (member.email, mailed) == ("new@hdex.example", False)
    container.db_engine.dispose()


def test_a_password_reset_leaves_the_lock_out_so_a_mailbox_buys_no_more_totp_guesses(
    container: Container, admin: Member, inbox: tuple[Inbox, int]
) -> None:
    """A completed reset cleared the lock-out: whoever reads a member's mail could guess five TOTP codes, reset
    the password, guess five more, without end. Only a complete sign-in clears the count now."""
    now = [2_000_000_000_000]
    service, ip = StaffSignIn(container, clock=lambda: now[0]), "203.0.113.7"
    totp = pyotp.TOTP(admin.secret)
    near = {totp.at(now[0] / 1000 + 30 * step) for step in range(-1, 10)}  # every code the clock below reaches
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in near)

    def guess(password: str) -> str:
        with pytest.raises(HdexError) as refused:
            service.finish(service.start(admin.email, password, ip).token, ip, code=wrong)
        return refused.value.code

    def failed_attempts() -> int:  # of the second factor: the whole account's
        with container.uow() as uow:
            row = uow.session.get(StaffSignInFailures, (admin.email, ACCOUNT))
            return 0 if row is None else row.failed_attempts

    assert [guess(PASSWORD) for _ in range(5)] == ["STAFF_TOTP_INVALID"] * 4 + ["STAFF_LOCKED"]
    service.request_reset(admin.email, "http://testserver", ip)
    service.confirm_reset(_token(inbox[0], 1), NEW_PASSWORD, ip)
    with pytest.raises(HdexError) as locked:
        service.start(admin.email, NEW_PASSWORD, ip)
    assert locked.value.code == "STAFF_LOCKED" and failed_attempts() == 5
    now[0] += 61_000
    assert guess(NEW_PASSWORD) == "STAFF_LOCKED"  # the sixth failure in a row: locked again, for twice as long
    now[0] += 121_000
    challenge = service.start(admin.email, NEW_PASSWORD, ip)
    service.finish(challenge.token, ip, code=totp.at(now[0] / 1000))
    assert failed_attempts() == 0


def test_two_confirms_with_one_link_at_once_set_one_password(postgres_url: str, tmp_path: Path) -> None:
    """PostgreSQL, READ COMMITTED: the link was read without a lock and deleted later, so a confirm begun while
    another was in flight with the same link found it too and set its password as well. One confirm is held
    open mid-way (its link used up, not committed); the second must wait for it and then be refused."""
    container = build_container(postgres_url, tmp_path, free_port())
    try:
        created = StaffAccounts(container).create("new@hdex.example", Role.SUPPORT, Actor("cli:test"))
        assert created.invite_token is not None
        token = created.invite_token
        with container.session_factory() as held:  # the first confirm, begun and not committed
            link = StaffPasswordReset.token_hash == credentials.token_hash(token)
            assert held.scalars(delete(StaffPasswordReset).where(link).returning(StaffPasswordReset.staff_id)).all()
            second = outcome_behind_locks(
                container, held, lambda: StaffSignIn(container).confirm_reset(token, NEW_PASSWORD, "203.0.113.7")
            )
        assert second == "STAFF_RESET_LINK_INVALID"
        with container.uow() as uow:
            assert uow.session.get_one(StaffAccount, created.member.id).password_hash is None
    finally:
        container.db_engine.dispose()


class _HeldInbox(Inbox):
    """An SMTP server that takes no mail until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.to_thread(self.release.wait, 30)
        return await super().handle_DATA(server, session, envelope)


def test_a_staff_address_is_answered_before_its_reset_mail_is_sent(sqlite_url: str, tmp_path: Path) -> None:
    """The answer never waits on the SMTP exchange, which only a staff address has: its timing would tell who is
    staff. The mail server holds the mail until the answer has come, through a real server (a TestClient's call
    returns only after the request's background work)."""
    box = _HeldInbox()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    container = build_container(sqlite_url, tmp_path, smtp.port, api_host="127.0.0.1", api_port=free_port())
    member = StaffAccounts(container).create("admin@hdex.example", Role.ADMIN, Actor("cli:test"), PASSWORD).member
    listening = threading.Event()
    server = ApiServer(create_app(container), container.settings, listening.set)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert listening.wait(timeout=30)
        url = f"http://127.0.0.1:{container.settings.api_port}/v1/staff/auth/password-reset"
        asked = httpx.post(url, json={"email": member.email}, timeout=10)
        assert asked.status_code == 202 and box.mails == []  # answered, the mail still held
        box.release.set()
        assert box.wait_for(1)["To"] == member.email
        malformed = httpx.post(url, json={"email": "not an address"}, timeout=10)
        assert (malformed.status_code, malformed.json()["error"]["field"]) == (422, "email")
    finally:
        box.release.set()
        server.should_exit = True
        thread.join(timeout=30)
        smtp.stop()
        container.db_engine.dispose()
