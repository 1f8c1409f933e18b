"""Fixtures for the trading API: a running app on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .exchange_fixtures import Exchange, prepare, running
from .live_server import serving


@pytest.fixture
def exchange(database_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The API with the Exchange recorded, one market and funded dev traders 5..9."""
    yield from running(prepare(database_url, tmp_path))


@pytest.fixture
def sqlite_exchange(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    """The same on SQLite only, for tests about behaviour rather than storage."""
    yield from running(prepare(sqlite_url, tmp_path))


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """The prepared exchange served by uvicorn on a real port (for clients and bots in other processes)."""
    container = prepare(sqlite_url, tmp_path)
    with serving(container) as url:
        yield url
    container.db_engine.dispose()
