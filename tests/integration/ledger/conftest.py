"""The ledger tests' database: migrated, one session per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.db import migrate
from backend.db.session import make_engine


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        yield session
    engine.dispose()
