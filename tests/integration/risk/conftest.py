"""A session on a migrated database (SQLite, and PostgreSQL when configured) for the risk stores' tests."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.db.session import make_engine


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    engine.dispose()
