"""Schemathesis over the OpenAPI schema: generated requests to every operation never get a 5xx.

The schema is loaded from the running app (lifespan started by TestClient); each operation gets
valid-by-schema and schema-violating cases, bounded in number so the run stays short and never
depends on timing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from .exchange_fixtures import Exchange, prepare, running


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{data_dir / 'hdex.db'}"
    yield from running(prepare(url, data_dir, rate_limit_ip="1000000/minute", rate_limit_address="1000000/minute"))


def test_no_generated_request_to_any_operation_gets_a_server_error(fuzzed_app: Exchange) -> None:
    # From the running app's own answer: `from_asgi` would start the app's lifespan a second time, on
    # another event loop, and the engine host takes changes only on the loop it started on.
    schema = schemathesis.openapi.from_dict(fuzzed_app.client.get("/openapi.json").json())
    # these answer a documented 503 when the chain is down, as it is here: that is their job, not a fault
    needing_the_node = {"/health", "/v1/scheduled-changes"}
    operations = [result.ok() for result in schema.get_all_operations() if result.ok().path not in needing_the_node]
    assert len(operations) >= 12
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: Any) -> None:
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "content-length"}
            body: dict[str, Any] = {}
            if isinstance(case.body, bytes | str):
                body = {"content": case.body}
            elif not isinstance(case.body, NotSet):
                body = {"json": case.body}
            response = fuzzed_app.client.request(
                case.method, case.formatted_path, params=case.query, headers=headers, **body
            )
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text)

        try:
            no_server_error()
        except Unsatisfiable:  # an operation without inputs has no schema-violating case
            assert mode is GenerationMode.NEGATIVE
