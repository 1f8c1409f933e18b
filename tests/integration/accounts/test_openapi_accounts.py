"""The accounts and KYC operations return what OpenAPI documents, the vendor webhook's success included
(the trading day's exchange has no vendor secret)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.core.failures import Failure, FailureGroup

from backend.bootstrap import Container

from ..api.test_openapi_responses import undocumented_fields
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
    schema = schemathesis.openapi.from_dict(document)
    an_accounts_day(recording, container)
    mismatches: list[str] = []
    for method, template, status, response in recording.made:
        assert str(status) in document["paths"][template][method.lower()]["responses"], (method, template, status)
        try:
            schema[template][method].validate_response(response)
        except FailureGroup as group:
            mismatches += [f"{method} {template} {status}: {failure}" for failure in group.exceptions]
        except Failure as failure:
            mismatches.append(f"{method} {template} {status}: {failure}")
        content = document["paths"][template][method.lower()]["responses"][str(status)].get("content", {})
        if "application/json" in content:
            where = f"{method} {template} {status}"
            mismatches += undocumented_fields(document, content["application/json"]["schema"], response.json(), where)
    assert not mismatches, "\n\n".join(mismatches)
    ours = {(m.upper(), p) for p, item in document["paths"].items() for m in item if p.startswith(OURS)}
    assert ours <= {(method, template) for method, template, _, _ in recording.made}
