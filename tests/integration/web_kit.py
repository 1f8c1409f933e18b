"""What tests of the signed-in pages share (accounts, support, forum): the API on the directory's `container`,
a browser of its own per name, wallets signed in with SIWE, staff signed in with password and TOTP, and small
files of each accepted type. A conftest imports the fixtures it wants (`app`, `client_for`, `staff_as`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.bootstrap import Container
from backend.staff.roles import Role

from .api.exchange_fixtures import wallet
from .api.siwe_messages import sign_in_body
from .staff.conftest import make_staff
from .staff.conftest import sign_in as staff_sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ClientFor = Callable[[str], TestClient]


@pytest.fixture
def app(container: Container) -> Iterator[FastAPI]:
    application = create_app(container)
    with TestClient(application):  # runs the lifespan once; the clients below share it
        yield application


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
    """A member of staff signed in in a browser of their own; writes carry the session's CSRF token."""

    client: TestClient
    csrf: str
    email: str

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
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
        return StaffBrowser(client, staff_sign_in(client, member), email)

    return make
