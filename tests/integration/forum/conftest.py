"""Forum fixtures: the API on a real database (SQLite and PostgreSQL), wallets signed in with SIWE by anvil's
dev keys, each in a browser of its own (cookies, client IP), and staff of a role signed in with password and
TOTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.audit_log import AuditEntry, AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread
from backend.staff.roles import Role

from ..staff.conftest import Inbox, build_container, inbox
from ..web_kit import ClientFor, StaffAs, StaffBrowser, app, client_for, signed_in_wallet, staff_as

__all__ = ["ClientFor", "StaffBrowser", "app", "client_for", "inbox", "staff_as"]  # shared fixtures and kit

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


@dataclass(frozen=True)
class User:
    client: TestClient
    address: str


def signed_in(client: TestClient, signer: int) -> User:
    return User(client, signed_in_wallet(client, signer))


@pytest.fixture
def alice(client_for: ClientFor) -> User:
    return signed_in(client_for("alice"), ALICE)


@pytest.fixture
def bob(client_for: ClientFor) -> User:
    return signed_in(client_for("bob"), BOB)


@pytest.fixture
def carol(client_for: ClientFor) -> User:
    return signed_in(client_for("carol"), CAROL)


@pytest.fixture
def moderator(staff_as: StaffAs) -> StaffBrowser:
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
