"""The composition root: builds the shared services once from settings and hands them out.

The database is built eagerly. Services that live in higher layers (the screener, the account
notifier) cannot be imported here without inverting the layers, so each is built on first use
through `Container.shared`, once per container: every entry point and loop that holds the same
container gets the same object (one screening cache, one Redis client), and no module-global
registry exists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.db.session import UnitOfWork, make_engine
from backend.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Container:
    """What every entry point (API, CLI, background loops) needs, wired from one Settings."""

    settings: Settings
    db_engine: Engine
    session_factory: sessionmaker[Session]
    _shared: dict[Callable[..., Any], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _shared_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def shared(self, build: Callable[[Container], T]) -> T:
        """The one `build(self)` of this container, built on first call (thread-safe: the API's
        event loop and the relayer and indexer threads of `hdex up` share one container)."""
        with self._shared_lock:
            if build not in self._shared:
                self._shared[build] = build(self)
            return cast(T, self._shared[build])


def bootstrap(settings: Settings) -> Container:
    engine = make_engine(settings.effective_database_url)
    return Container(
        settings=settings,
        db_engine=engine,
        session_factory=sessionmaker(engine, expire_on_commit=False),
    )
