"""What the announcements and help-center operations really answer matches what OpenAPI documents for them
(successes and typed errors), with every field the bodies carry listed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient

from backend.api.app import create_app

from ..api.test_openapi_responses import Calls, schema_mismatches
from ..conftest import free_port
from ..staff.conftest import build_container
from .content_day import a_content_day

OURS = ("/v1/announcements", "/v1/staff/announcements", "/v1/help", "/v1/staff/help")


def test_content_bodies_match_their_documented_schemas_and_every_content_operation_is_exercised(
    sqlite_url: str, tmp_path: Path
) -> None:
    container = build_container(sqlite_url, tmp_path, free_port())
    try:
        with TestClient(create_app(container)) as client:
            document: dict[str, Any] = client.get("/openapi.json").json()
            calls = Calls(SimpleNamespace(client=client))  # type: ignore[arg-type]
            a_content_day(calls, container)
    finally:
        container.db_engine.dispose()
    assert not (mismatches := schema_mismatches(document, calls.made)), "\n\n".join(mismatches)
    ours = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith(OURS)
        for method in item
        if method in ("get", "post", "put", "delete")
    }
    assert len(ours) == 14
    assert ours <= {(method, template) for method, template, _, _ in calls.made}
