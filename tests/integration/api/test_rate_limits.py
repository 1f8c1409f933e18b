"""Rate limits per IP and per address answer 429 with Retry-After and X-RateLimit-* headers."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from .exchange_fixtures import prepare, running


@pytest.fixture(params=["memory", "redis"])
def limits_storage(request: pytest.FixtureRequest) -> str | None:
    if request.param == "memory":
        return None
    url = os.environ.get("HDEX_REDIS_URL")
    if not url:
        pytest.skip("no Redis configured (HDEX_REDIS_URL)")
    return url


def test_the_per_ip_limit_refuses_with_429_and_headers(
    sqlite_url: str, tmp_path: Path, limits_storage: str | None
) -> None:
    container = prepare(sqlite_url, tmp_path, rate_limit_ip="3/minute", redis_url=limits_storage)
    for exchange in running(container, client_ip=f"client-{uuid.uuid4().hex}"):  # a fresh key per run
        answers = [exchange.client.get("/v1/markets") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["X-RateLimit-Limit"] == "3"
        assert answers[0].headers["X-RateLimit-Remaining"] == "2"
        refused = answers[3]
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["Retry-After"]) >= 1
        assert int(refused.headers["X-RateLimit-Reset"]) > 0
        assert exchange.client.get("/health").status_code != 429  # health and metrics are never limited


def test_the_per_address_limit_refuses_signed_writes_and_changes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_address="2/minute")):
        assert exchange.place(5).status_code == 201
        assert exchange.place(5).status_code == 201
        before = exchange.state()
        refused = exchange.place(5)
        assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")
        assert "Retry-After" in refused.headers
        assert exchange.state() == before
        assert exchange.place(6).status_code == 201  # another wallet is not limited
