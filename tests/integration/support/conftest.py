"""Support desk fixtures: the API on a real database (SQLite and PostgreSQL) with attachments in a folder under
the test's data dir, mail received by a real SMTP server (aiosmtpd), wallets signed in with SIWE by anvil's
dev keys, staff of each role signed in with password and TOTP, and the desk's service on a clock the test
sets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.bootstrap import Container
from backend.db.models import AuditLogEntry
from backend.notices import AccountMailing

from ..staff.conftest import Inbox, build_container, inbox
from ..web_kit import PDF, PNG, ClientFor, StaffAs, StaffBrowser, app, client_for, signed_in_wallet, staff_as

# the real SMTP server fixture shared with the staff tests, and the signed-in pages' kit
__all__ = ["PDF", "PNG", "StaffAs", "StaffBrowser", "app", "client_for", "inbox", "staff_as"]

MAX_ATTACHMENT = 16 * 1024  # small, so "too large" needs no megabytes
TICKET_LIMIT = 3
MESSAGE_LIMIT = 12  # above what one test sends (the inert-text test: a ticket and 7 replies)
USER, OTHER = 5, 6  # dev wallets


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1], support_max_attachment_bytes=MAX_ATTACHMENT,
        support_ticket_limit=TICKET_LIMIT, support_message_limit=MESSAGE_LIMIT,
    )  # fmt: skip
    yield built
    built.db_engine.dispose()


@pytest.fixture
def user(client_for: ClientFor) -> TestClient:
    client = client_for("user")
    signed_in_wallet(client, USER)
    return client


@pytest.fixture
def other(client_for: ClientFor) -> TestClient:
    client = client_for("other")
    signed_in_wallet(client, OTHER)
    return client


def open_ticket(
    client: TestClient,
    subject: str = "Deposit not credited",
    message: str = "My **USDC** deposit is missing.",
    category: str = "deposit",
    attachment: tuple[str, bytes, str] | None = None,
) -> Any:
    """POST /v1/support/tickets as the dApp does (multipart); the response."""
    files = None if attachment is None else {"attachment": attachment}
    data = {"category": category, "subject": subject, "message": message}
    return client.post("/v1/support/tickets", data=data, files=files)


def verify_email(client: TestClient, box: Inbox, address: str) -> None:
    """Give the signed-in wallet of `client` a verified e-mail, through the mailed link as a user would."""
    count = len(box.mails)
    assert client.put("/v1/account/profile", json={"email": address}).status_code == 200
    mail = box.wait_for(count + 1)
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"(http\S+/account\?verifyEmail=\S+)", body.decode())
    assert found is not None
    token = parse_qs(urlparse(found.group(1)).query)["verifyEmail"][0]
    assert client.post("/v1/account/email/verify", json={"token": token}).status_code == 200


def stored_files(container: Container) -> list[Path]:
    root = container.settings.data_dir / "documents"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def audit_actions(container: Container, target: str) -> list[str]:
    """The actions of the audit log's entries about `target`, oldest first."""
    with container.uow() as uow:
        query = select(AuditLogEntry.action).where(AuditLogEntry.target == target).order_by(AuditLogEntry.seq)
        return list(uow.session.scalars(query))


def mail_pass(container: Container) -> None:
    """One pass of the account-mail outbox, as `hdex up`'s loop runs every HDEX_ACCOUNT_MAIL_INTERVAL_S: staff
    replies go out through it."""
    mailing = AccountMailing(container)
    mailing.tick()
    mailing.leased.release()
