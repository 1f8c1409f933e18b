"""Support desk fixtures: the API on a real database (SQLite and PostgreSQL) with attachments in a folder under
the test's data dir, mail received by a real SMTP server (aiosmtpd), wallets signed in with SIWE by anvil's
dev keys, staff of each role signed in with password and TOTP, and the desk's service on a clock the test
sets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.db.models import AuditLogEntry
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..api.siwe_messages import sign_in_body
from ..staff.conftest import Inbox, build_container, inbox, make_staff
from ..staff.conftest import sign_in as staff_sign_in

__all__ = ["inbox"]  # the real SMTP server fixture, shared with the staff tests

MAX_ATTACHMENT = 16 * 1024  # small, so "too large" needs no megabytes
TICKET_LIMIT = 3
USER, OTHER = 5, 6  # dev wallets
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1], support_max_attachment_bytes=MAX_ATTACHMENT,
        support_ticket_limit=TICKET_LIMIT,
    )  # fmt: skip
    yield built
    built.db_engine.dispose()


@pytest.fixture
def app(container: Container) -> Iterator[FastAPI]:
    application = create_app(container)
    with TestClient(application):  # runs the lifespan once; the clients below share it
        yield application


ClientFor = Callable[[str], TestClient]


@pytest.fixture
def client_for(app: FastAPI) -> ClientFor:
    """A browser of its own (cookies, client IP) per name."""
    made: dict[str, TestClient] = {}

    def make(name: str) -> TestClient:
        if name not in made:
            made[name] = TestClient(app, client=(f"203.0.113.{len(made) + 10}", 50000))
        return made[name]

    return make


def signed_in_wallet(client: TestClient, signer: int) -> str:
    """Sign dev wallet `signer` in with SIWE; the session cookie stays in `client`; returns its address."""
    nonce = client.get("/v1/auth/nonce").json()["nonce"]
    response = client.post("/v1/auth/siwe", json=sign_in_body(nonce, signer))
    assert response.status_code == 200, response.text
    return wallet(signer)


@dataclass(frozen=True)
class StaffBrowser:
    email: str
    client: TestClient
    csrf: str

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(path, json=body, headers={"X-CSRF-Token": self.csrf})

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers={"X-CSRF-Token": self.csrf})


StaffAs = Callable[..., StaffBrowser]


@pytest.fixture
def staff_as(container: Container, client_for: ClientFor) -> StaffAs:
    """A member of staff of `role` (e-mail <name or role>@hdex.example), signed in in a browser of their own."""

    def make(role: Role, name: str | None = None) -> StaffBrowser:
        email = f"{name or role.value}@hdex.example"
        member = make_staff(container, email, role)
        client = client_for(f"staff-{email}")
        return StaffBrowser(email, client, staff_sign_in(client, member))

    return make


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
