"""Staff fixtures: the API on a real database (SQLite and PostgreSQL), mail received by a real SMTP server
(aiosmtpd on a free port), and accounts made the way the CLI makes them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pyotp
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session as DbSession

from backend.api.app import create_app
from backend.bootstrap import Container, bootstrap
from backend.errors import HdexError
from backend.settings import load_settings
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..conftest import free_port

PASSWORD = "correct horse battery staple"


@dataclass
class Inbox:
    """Every mail the SMTP server received, in order."""

    mails: list[Message] = field(default_factory=list)

    # aiosmtpd calls the handler by this name
    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.mails.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout_s: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout_s
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.mails) >= count, f"expected {count} mails, got {len(self.mails)}"
        return self.mails[count - 1]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def build_container(database_url: str, data_dir: Path, smtp_port: int, **settings: Any) -> Container:
    """The container of a migrated database (as the fixtures' are), mailing to the test SMTP server on
    `smtp_port`; `settings` add to or override the embedded test settings. The caller disposes of its DB
    engine."""
    loaded = load_settings(
        _env_file=None, database_url=database_url, data_dir=data_dir, redis_url=None, trading_sync_interval=60.0,
        engine_fsync=False, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_tls="none", **settings,
    )  # fmt: skip
    return bootstrap(loaded)


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(database_url, tmp_path, inbox[1])
    yield built
    built.db_engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), client=("203.0.113.7", 50000)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    secret: str
    recovery_codes: list[str]


def make_staff(container: Container, email: str, role: Role) -> Member:
    """An account with PASSWORD and an enrolled TOTP secret, as `hdex staff create` makes it."""
    created = StaffAccounts(container).create(email, role, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    return Member(created.member.id, created.member.email, created.totp_setup.secret, created.recovery_codes)


def code_for(member: Member, steps_ahead: int = 0) -> str:
    """The member's TOTP code, `steps_ahead` steps of 30 s later (the server accepts one step of drift)."""
    return pyotp.TOTP(member.secret).at(time.time() + 30 * steps_ahead)


def sign_in(client: TestClient, member: Member, steps_ahead: int = 0) -> str:
    """Sign `member` in (password, then TOTP); the cookie stays in `client`; returns the CSRF token."""
    login = client.post("/v1/staff/auth/login", json={"email": member.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    totp = client.post(
        "/v1/staff/auth/totp", json={"challenge": login.json()["challenge"], "code": code_for(member, steps_ahead)}
    )
    assert totp.status_code == 200, totp.text
    csrf: str = totp.json()["csrfToken"]
    return csrf


@pytest.fixture
def admin(container: Container) -> Member:
    return make_staff(container, "admin@hdex.example", Role.ADMIN)


def outcome_behind_locks(container: Container, held: DbSession, second: Callable[[], object]) -> str:
    """PostgreSQL: run `second` in a thread while `held` (a transaction holding row locks, not committed) stays
    open until `second` waits on one of its locks (at most 10 s), then commit `held`. Returns "done" if `second`
    went through, else its error code: what a request racing the held one got."""
    outcome: list[str] = []

    def run() -> None:
        try:
            second()
            outcome.append("done")
        except HdexError as exc:
            outcome.append(exc.code.value)

    worker = threading.Thread(target=run)
    worker.start()
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    with container.session_factory() as watcher:
        for _ in range(1000):
            if watcher.scalar(waiting) or not worker.is_alive():
                break
            watcher.rollback()
            time.sleep(0.01)
    held.commit()
    worker.join(10)
    return outcome[0] if outcome else "still waiting"
