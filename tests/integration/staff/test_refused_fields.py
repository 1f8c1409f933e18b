"""A refused request names the field it refuses, even a field literally named like pydantic's location (`body`):
the back office tells the refusal in its own words by that name."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container

from .conftest import Member, sign_in


@pytest.mark.parametrize(
    "path", ["/v1/staff/help/preview", "/v1/staff/support/tickets/1/messages"], ids=["help-preview", "ticket-answer"]
)
def test_a_missing_body_field_is_refused_by_its_name(
    client: TestClient, container: Container, admin: Member, path: str
) -> None:
    csrf = sign_in(client, admin)
    response = client.post(path, json={}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("INVALID_FIELD", "body"), error


def test_a_nested_field_is_named_by_its_path_below_the_body(
    client: TestClient, container: Container, admin: Member
) -> None:
    csrf = sign_in(client, admin)
    response = client.post(
        "/v1/staff/staff", json={"email": "new@hdex.example", "role": "nobody"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "role"
