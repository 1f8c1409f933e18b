"""The support desk's operations return what OpenAPI documents, every one of them exercised."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.bootstrap import Container

from ..api.test_openapi_responses import schema_mismatches
from .support_day import a_support_day

OURS = ("/v1/support/", "/v1/staff/support/")


class Recording:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.made: list[tuple[str, str, int, Any]] = []

    def __call__(self, method: str, template: str, status: int, path: str | None = None, **kwargs: Any) -> Any:
        response = self.client.request(method, path or template, **kwargs)
        assert response.status_code == status, (method, path or template, response.text)
        self.made.append((method, template, status, response))
        return response.json() if "json" in response.headers.get("content-type", "") else response.content


def test_every_support_response_matches_its_documented_schema(app: FastAPI, container: Container) -> None:
    recording = Recording(TestClient(app, client=("203.0.113.99", 50000)))
    document = recording.client.get("/openapi.json").json()
    a_support_day(recording, container)
    mismatches = schema_mismatches(document, recording.made)
    assert not mismatches, "\n\n".join(mismatches)
    ours = {(m.upper(), p) for p, item in document["paths"].items() for m in item if p.startswith(OURS)}
    assert ours and ours <= {(method, template) for method, template, _, _ in recording.made}


def test_the_reply_routes_document_a_json_body_or_a_multipart_one_with_an_attachment(app: FastAPI) -> None:
    document = TestClient(app).get("/openapi.json").json()
    for path in ("/v1/support/tickets/{ticketId}/replies", "/v1/staff/support/tickets/{ticketId}/messages"):
        operation = document["paths"][path]["post"]
        body = operation["requestBody"]
        assert body["required"] and set(body["content"]) == {"application/json", "multipart/form-data"}, path
        as_json, as_form = (body["content"][media]["schema"] for media in ("application/json", "multipart/form-data"))
        assert "attachment" not in as_json["properties"] and as_json["required"] == ["body"]
        assert as_form["properties"]["attachment"]["contentMediaType"] == "application/octet-stream"
        assert as_form["properties"]["body"] == as_json["properties"]["body"] and as_form["required"] == ["body"]
        assert {"413", "415"} <= set(operation["responses"]) and "attachment" in operation["description"]
