"""Accounts fixtures: the API on a real database (SQLite and PostgreSQL) with documents in a folder under
the test's data dir, mail received by a real SMTP server (aiosmtpd), wallets signed in with SIWE by anvil's
dev keys, and staff signed in with password and TOTP."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..api.siwe_messages import sign_in_body
from ..staff.conftest import Inbox, build_container, inbox, make_staff
from ..staff.conftest import sign_in as staff_sign_in

__all__ = ["inbox"]  # the real SMTP server fixture, shared with the staff tests

WEBHOOK_SECRET = "vendor-shared-secret-for-tests"
MAX_UPLOAD = 64 * 1024  # small, so "too large" needs no megabytes
USER, OTHER = 5, 6  # dev wallets
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IDENTITY: dict[str, Any] = {
    "legalName": "Ada Lovelace",
    "dateOfBirth": "1990-12-10",
    "country": "GB",
    "address": {"line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH"},
}


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1],
        kyc_max_upload_bytes=MAX_UPLOAD, kyc_restricted_countries=["KP", "IR"], kyc_webhook_secret=WEBHOOK_SECRET,
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
    client: TestClient
    csrf: str

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})


@pytest.fixture
def staff_as(container: Container, client_for: ClientFor) -> Callable[[Role], StaffBrowser]:
    """A member of staff of `role`, signed in (password, TOTP) in a browser of their own."""

    def make(role: Role) -> StaffBrowser:
        member = make_staff(container, f"{role.value}@hdex.example", role)
        client = client_for(f"staff-{role.value}")
        return StaffBrowser(client, staff_sign_in(client, member))

    return make


@pytest.fixture
def user(client_for: ClientFor) -> TestClient:
    client = client_for("user")
    signed_in_wallet(client, USER)
    return client


def documents(identity: bytes = PNG, proof: bytes = PDF, names: tuple[str, str] = ("id.png", "bill.pdf")) -> Any:
    """The multipart files of a level-2 submission."""
    return {
        "identityDocument": (names[0], io.BytesIO(identity), "image/png"),
        "proofOfAddress": (names[1], io.BytesIO(proof), "application/pdf"),
    }


def stored_files(container: Container) -> list[Path]:
    root = container.settings.data_dir / "documents"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
