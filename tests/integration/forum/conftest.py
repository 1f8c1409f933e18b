"""Forum fixtures: the API on a real database (SQLite and PostgreSQL), wallets signed in with SIWE by anvil's
dev keys, each in a browser of its own (cookies, client IP), and staff of a role signed in with password and
TOTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.api.app import create_app
from backend.audit_log import AuditEntry, AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..api.siwe_messages import sign_in_body
from ..staff.conftest import Inbox, build_container, inbox, make_staff
from ..staff.conftest import sign_in as staff_sign_in

__all__ = ["inbox"]

ALICE, BOB, CAROL = 5, 6, 7  # dev wallets
PER_MINUTE, PER_HOUR = 4, 6


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1], forum_posts_per_minute=PER_MINUTE, forum_posts_per_hour=PER_HOUR,
        forum_reports_per_hour=3,
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


@dataclass(frozen=True)
class User:
    client: TestClient
    address: str


def signed_in(client: TestClient, signer: int) -> User:
    nonce = client.get("/v1/auth/nonce").json()["nonce"]
    response = client.post("/v1/auth/siwe", json=sign_in_body(nonce, signer))
    assert response.status_code == 200, response.text
    return User(client, wallet(signer))


@pytest.fixture
def alice(client_for: ClientFor) -> User:
    return signed_in(client_for("alice"), ALICE)


@pytest.fixture
def bob(client_for: ClientFor) -> User:
    return signed_in(client_for("bob"), BOB)


@pytest.fixture
def carol(client_for: ClientFor) -> User:
    return signed_in(client_for("carol"), CAROL)


@dataclass(frozen=True)
class StaffBrowser:
    client: TestClient
    csrf: str

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
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
def moderator(staff_as: Callable[[Role], StaffBrowser]) -> StaffBrowser:
    return staff_as(Role.SUPPORT)  # the support role holds forum.moderate


def start_thread(
    user: User, title: str = "Hello traders", body: str = "First **post**", category: str = "general"
) -> dict[str, Any]:
    response = user.client.post("/v1/forum/threads", json={"category": category, "title": title, "message": body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def reply_to(user: User, thread_id: int, body: str) -> dict[str, Any]:
    response = user.client.post(f"/v1/forum/threads/{thread_id}/posts", json={"message": body})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def forum_rows(container: Container) -> dict[str, int]:
    """How many rows each forum table holds: "nothing changed" compares two of these."""
    with container.uow() as uow:
        return {
            model.__tablename__: uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ForumCategory, ForumThread, ForumPost, ForumReport, ForumBan)
        }


def audit(container: Container, action: str) -> list[AuditEntry]:
    """The audit log's entries of `action`, oldest first."""
    with container.uow() as uow:
        return list(reversed(list_entries(uow.session, AuditFilter(action=action), 1000)))
