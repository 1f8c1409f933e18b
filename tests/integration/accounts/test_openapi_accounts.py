"""The accounts and KYC operations return what OpenAPI documents, the vendor webhook's success included
(the trading day's exchange has no vendor secret)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container

from ..api.test_openapi_responses import schema_mismatches
from .accounts_day import an_accounts_day

OURS = ("/v1/account/", "/v1/kyc/", "/v1/staff/kyc/")


class Recording:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.made: list[tuple[str, str, int, Any]] = []

    def __call__(self, method: str, template: str, status: int, path: str | None = None, **kwargs: Any) -> Any:
        response = self.client.request(method, path or template, **kwargs)
        assert response.status_code == status, (method, path or template, response.text)
        self.made.append((method, template, status, response))
        return response.json() if "json" in response.headers.get("content-type", "") else response.content


@pytest.fixture
def recording(app: FastAPI) -> Iterator[Recording]:
    yield Recording(TestClient(app, client=("203.0.113.99", 50000)))


def test_every_accounts_response_matches_its_documented_schema(
    recording: Recording, container: Container, app: FastAPI
) -> None:
    document = recording.client.get("/openapi.json").json()
    an_accounts_day(recording, container)
    mismatches = schema_mismatches(document, recording.made)
    assert not mismatches, "\n\n".join(mismatches)
    ours = {(m.upper(), p) for p, item in document["paths"].items() for m in item if p.startswith(OURS)}
    assert ours <= {(method, template) for method, template, _, _ in recording.made}
