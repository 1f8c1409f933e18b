"""Content fixtures: one API over one SQLite database per module (staff sign-ins hash passwords: slow), with
staff of each role signed in, and helpers to read the audit log and the content tables."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.api.app import create_app
from backend.audit_log import AuditEntry, AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import Announcement, HelpArticle, HelpArticleTranslation
from backend.staff.roles import Role

from ..alerts.conftest import STAFF_IP, Desk, desk
from ..conftest import free_port
from ..staff.conftest import build_container

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


@dataclass(frozen=True)
class Office:
    container: Container
    client: TestClient
    support: Desk  # announcements.manage and support.manage
    compliance: Desk  # neither
    auditor: Desk  # reads only, neither


@pytest.fixture(scope="module")
def office(migrated_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("content")
    shutil.copyfile(migrated_sqlite_file, folder / "hdex.db")
    container = build_container(f"sqlite:///{folder / 'hdex.db'}", folder, free_port())
    with TestClient(create_app(container), client=(STAFF_IP, 50000)) as client:
        yield Office(
            container, client, desk(client, container, Role.SUPPORT), desk(client, container, Role.COMPLIANCE),
            desk(client, container, Role.AUDITOR),
        )  # fmt: skip
    container.db_engine.dispose()


def audit(container: Container, action: str, target: str) -> list[AuditEntry]:
    """The audit log's entries of `action` about `target`, oldest first."""
    with container.uow() as uow:
        entries = list_entries(uow.session, AuditFilter(action=action), 1000)
    return [e for e in reversed(entries) if e.target == target]


def content_state(container: Container) -> dict[str, Any]:
    """Everything a refused request must leave as it was: the content tables and the audit log."""
    with container.uow() as uow:
        announcements = [
            (a.id, a.title, a.body, a.severity, a.placement, a.starts_at_ms, a.ends_at_ms, a.withdrawn_at_ms)
            for a in uow.session.scalars(select(Announcement).order_by(Announcement.id))
        ]
        articles = [
            (a.id, a.slug, a.title, a.body, a.published, a.updated_at_ms)
            for a in uow.session.scalars(select(HelpArticle).order_by(HelpArticle.id))
        ]
        translations = [
            (t.article_id, t.language, t.title, t.body, t.updated_at_ms)
            for t in uow.session.scalars(select(HelpArticleTranslation).order_by(HelpArticleTranslation.id))
        ]
        seqs = [e.seq for e in list_entries(uow.session, AuditFilter(), 10_000)]
    return {"announcements": announcements, "articles": articles, "translations": translations, "audit": seqs}


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    """`html` (as a browser would parse it) has no element that runs or loads anything: no script, image,
    frame, style or form, no event attribute, no link but http(s) and mailto."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "iframe", "style", "object", "embed", "form", "svg", "math"}, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name in {"href", "src"}:
                assert (value or "").startswith(("http://", "https://", "mailto:")), html
