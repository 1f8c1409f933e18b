"""Exports and searches weigh what they cost against the per-IP limit, on the paths the routes really serve (the
weights the README promises): every weighed pattern matches a route of the API, and a route that reads everything
of a wallet, a case or a range of days weighs 10."""

from __future__ import annotations

import re

import pytest

from backend.api.app import create_app
from backend.api.ratelimit import WEIGHTS, request_weight
from backend.bootstrap import bootstrap
from backend.settings import load_settings


@pytest.mark.parametrize(
    ("path", "query", "weight"),
    [
        ("/v1/staff/stats/volume", b"format=csv&from=2026-01-01&to=2026-03-31", 10),
        ("/v1/staff/stats/cohorts", b"", 10),  # JSON: the same query as the CSV
        ("/v1/staff/cases/42/report", b"format=html", 10),
        ("/v1/staff/cases/42/report", b"", 10),
        ("/v1/account/export", b"", 10),
        ("/v1/forum/search", b"q=trading&sort=relevance", 5),
        ("/v1/orders/batch", b"", 10),  # up to 20 orders, each counted against its maker too
        # not exports: a case, the list of cases, the alerts stream
        ("/v1/staff/cases/42", b"", 1),
        ("/v1/staff/cases", b"", 1),
        ("/v1/staff/alerts/stream", b"", 1),
        ("/v1/staff/stats/volume/x", b"", 1),
        ("/v1/account/profile", b"", 1),
        ("/v1/forum/threads", b"", 1),
    ],
)
def test_exports_and_the_forum_search_weigh_what_they_cost(path: str, query: bytes, weight: int) -> None:
    assert request_weight(path, query) == weight


@pytest.fixture(scope="module")
def route_paths(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The path of every route the API serves, as `create_app` wires them (its OpenAPI document lists each)."""
    data = tmp_path_factory.mktemp("data")
    settings = load_settings(_env_file=None, data_dir=data, database_url=f"sqlite:///{data / 'hdex.db'}")
    container = bootstrap(settings)
    try:
        return set(create_app(container).openapi()["paths"])
    finally:
        container.db_engine.dispose()


def test_every_weighed_pattern_matches_a_route_the_api_serves(route_paths: set[str]) -> None:
    """A pattern that matches no route weighs nothing (as `^/v1/staff/.*/export$` did): each must match the path
    of a real route, its `{parameters}` filled in."""
    paths = [re.sub(r"\{[^}]+\}", "x1", path) for path in route_paths]
    for pattern, _ in WEIGHTS:
        assert any(pattern.match(path) for path in paths), f"{pattern.pattern} weighs no route"


@pytest.mark.parametrize(
    "route", ["/v1/staff/stats/{table}", "/v1/staff/cases/{caseId}/report", "/v1/account/export", "/v1/forum/search"]
)
def test_the_export_and_search_routes_are_served_where_they_are_weighed(route: str, route_paths: set[str]) -> None:
    assert route in route_paths
    assert request_weight(route.replace("{table}", "fees").replace("{caseId}", "7")) > 1
