"""`hdex api` and `hdex engine serve` refuse to start without what they need, in one line (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import get_settings


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read from this test's environment, and none of it left cached for the tests after."""
    for name in ("HDEX_REDIS_URL", "HDEX_ENGINE_URL", "HDEX_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_replica_needs_the_engine_and_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HDEX_REDIS_URL", "redis://127.0.0.1:6379/0")

    result = CliRunner().invoke(main, ["api"])

    assert result.exit_code == 2
    assert "set HDEX_ENGINE_URL" in result.output


def test_the_engine_process_needs_redis() -> None:
    result = CliRunner().invoke(main, ["engine", "serve"])

    assert result.exit_code == 2
    assert "set HDEX_REDIS_URL" in result.output
