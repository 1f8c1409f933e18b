"""The indexer tests' database: migrated, one session factory per test; and the whole hybrid loop for those that
need an API to hear from the indexer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.db import migrate
from backend.db.session import make_engine

from ..e2e.test_hybrid_loop import loop  # noqa: F401  (the fixture, shared rather than copied)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()
