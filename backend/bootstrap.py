"""The composition root: builds the shared services once from settings and hands them out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.db.session import UnitOfWork, make_engine
from backend.settings import Settings


@dataclass(frozen=True)
class Container:
    """What every entry point (API, CLI, background loops) needs, wired from one Settings."""

    settings: Settings
    db_engine: Engine
    session_factory: sessionmaker[Session]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def bootstrap(settings: Settings) -> Container:
    engine = make_engine(settings.effective_database_url)
    return Container(
        settings=settings,
        db_engine=engine,
        session_factory=sessionmaker(engine, expire_on_commit=False),
    )
