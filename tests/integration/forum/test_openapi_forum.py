"""What the forum's operations answer matches what OpenAPI documents for them: the forum's day (forum_day.py)
of posting, reading, searching, reporting and moderating, every body (successes and typed errors) validated
against its schema with every field listed, and every forum operation exercised."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container

from ..api.test_openapi_responses import operations, schema_mismatches
from .forum_day import a_forum_day


class Calls:
    """Requests through one client, each with the operation it exercises and the status it must get."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.made: list[tuple[str, str, int, httpx.Response]] = []

    def __call__(self, method: str, template: str, status: int, path: str | None = None, **kwargs: Any) -> Any:
        response = self.client.request(method, path or template, **kwargs)
        assert response.status_code == status, (method, path or template, response.text)
        self.made.append((method, template, status, response))
        return response.json()


def test_forum_bodies_match_their_documented_schemas(app: FastAPI, container: Container) -> None:
    call = Calls(TestClient(app, client=("203.0.113.60", 50000)))
    a_forum_day(call, container)
    document = call.client.get("/openapi.json").json()
    assert schema_mismatches(document, call.made) == []
    exercised = {(method, template) for method, template, _, _ in call.made}
    forum = {(method, path) for method, path, _ in operations(document) if "/forum" in path}
    assert forum and forum <= exercised
