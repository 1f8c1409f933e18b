"""Schemathesis over the support desk's operations, signed in as a wallet and as support staff (past the
session checks, where the fuzz of tests/integration/api stops): no generated request gets a 5xx."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from backend.staff.roles import Role

from .conftest import StaffAs, open_ticket

OURS = ("/v1/support/", "/v1/staff/support/")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_generated_request_to_a_support_operation_gets_a_server_error(user: TestClient, staff_as: StaffAs) -> None:
    assert open_ticket(user).status_code == 201  # ticket 1 exists, so some generated ids reach a real ticket
    desk = staff_as(Role.SUPPORT)
    schema = schemathesis.openapi.from_dict(user.get("/openapi.json").json())
    every = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    operations = [operation for operation in every if operation.path.startswith(OURS)]
    assert len(operations) >= 15
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        staff_route = operation.path.startswith("/v1/staff/")
        client, extra = (desk.client, {"X-CSRF-Token": desk.csrf}) if staff_route else (user, {})
        try:
            _no_server_error(operation, mode, client, extra)
        except Unsatisfiable:  # an operation without inputs has no schema-violating case
            assert mode is GenerationMode.NEGATIVE


def _no_server_error(operation: Any, mode: GenerationMode, client: TestClient, extra: dict[str, str]) -> None:
    """Generated cases of `operation` sent by `client` (with the `extra` headers): none gets a 5xx."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "content-length"} | extra
        body: dict[str, Any] = {}
        if isinstance(case.body, bytes | str):
            body = {"content": case.body}
        elif isinstance(case.body, dict) and case.media_type == "multipart/form-data":
            files = {k: v for k, v in case.body.items() if isinstance(v, bytes)}
            body = {"data": {k: v for k, v in case.body.items() if k not in files}, "files": files or None}
        elif not isinstance(case.body, NotSet):
            body = {"json": case.body}
        response = client.request(case.method, case.formatted_path, params=case.query, headers=headers, **body)
        assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text)

    check()
