"""Real parts for integration tests: anvil nodes on free ports, SQLite files, PostgreSQL databases.

Databases: `database_url` (each test runs on SQLite and on PostgreSQL), `sqlite_url` and `postgres_url`
are a database of the test's own, already migrated to head: a copy of a SQLite file migrated once per
session, or a PostgreSQL database created from a template migrated once per session (dropped after the
test). Migrating again is a no-op. Tests of the migrations themselves take `empty_database_url` (or
`empty_sqlite_url`, `empty_postgres_url`): a database with no table at all.

PostgreSQL tests run when HDEX_DATABASE_URL (as in CI) or HDEX_TEST_POSTGRES_URL names a server.

Chain: `devchain` is the development stack as just deployed (see devchain.PristineDevChain), `anvil` a
bare node shared by the session.

Staff passwords are hashed with argon2id at its lowest cost here (`quick_password_hashing`), and a pass of the
account-mail outbox is not cut short by its wall-clock budget (`unhurried_mail_passes`).
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from backend.chain.node import AnvilNode
from backend.db import migrate
from backend.notices import outbox
from backend.staff import credentials

if TYPE_CHECKING:  # devchain imports this module (free_port); it is imported where a fixture needs it
    from .devchain import DevChain, PristineDevChain


@pytest.fixture(scope="module", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Staff passwords hashed and checked with argon2id at its lowest cost (t=1, 8 MiB, p=1) instead of RFC 9106's
    low-memory profile, which costs about 0.15 s a hash: the suite creates and signs in staff hundreds of times.
    A unit test holds the product to the profile (this ends with each integration module, so a unit test run after
    one on the same worker sees the product's own); servers the tests start as processes keep it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
        yield


@pytest.fixture(scope="module", autouse=True)
def unhurried_mail_passes() -> Iterator[None]:
    """A pass of the account-mail outbox stops after SEND_BUDGET_S (3 s) of wall-clock time and leaves the rest to
    the next pass. On a loaded machine the first mail of a pass once took that long (sent 1 of 4 in
    test_account_mail), so a test's pass sent less than it owed: tests here send everything a pass owes. The
    budget's own test passes its budget and a clock of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outbox, "SEND_BUDGET_S", 3600.0)
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_server_url() -> str | None:
    url = os.environ.get("HDEX_TEST_POSTGRES_URL") or os.environ.get("HDEX_DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres:")):
        return None
    return url.replace("postgres://", "postgresql://", 1).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test's SQLite database is a copy of it."""
    path = tmp_path_factory.mktemp("migrated") / "hdex.db"
    migrate.upgrade(f"sqlite:///{path}")
    # Out of WAL mode, so that the one file holds everything (each copy's engine turns WAL on again).
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite_file: Path, tmp_path: Path) -> str:
    path = tmp_path / "hdex.db"
    shutil.copyfile(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


class PostgresServer:
    """Creates and drops databases (named hdex_test_*, so concurrent sessions never collide) on one server.

    A copy of a template takes PostgreSQL most of a second to make and some tenths to drop: so while
    a test runs on its copy, the next test's copy is made (`prepared`) and the last one dropped by a thread
    of the session. Each test still gets a database of its own, copied whole from the template.
    """

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._admin: Engine = create_engine(self._url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        # One thread makes the copies, another drops them: a test waiting for its copy never waits for a drop.
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hdex-test-postgres-make")
        self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hdex-test-postgres-drop")
        self._prepared: dict[str, Future[str]] = {}  # template -> its next copy, being made
        self._dropping: list[Future[None]] = []

    def url_of(self, name: str) -> str:
        database: URL = self._url.set(database=name)
        return database.render_as_string(hide_password=False)

    def _create(self, template: str | None) -> str:
        name = f"hdex_test_{uuid.uuid4().hex[:12]}"
        copy_of = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        return name

    def _drop(self, name: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    @contextmanager
    def database(self, template: str | None = None) -> Iterator[str]:
        """A new database (a copy of `template`, else empty) for the block; dropped after it."""
        prepared = self._prepared.pop(template, None) if template else None
        name = prepared.result() if prepared is not None else self._create(template)
        if template:
            self._prepared[template] = self._maker.submit(self._create, template)
        try:
            yield self.url_of(name)
        finally:
            if template:
                self._dropping.append(self._dropper.submit(self._drop, name))
            else:  # a template among them: dropped before the block ends
                self._drop(name)

    def forget_template(self, template: str) -> None:
        """Drops the copy of `template` made ahead, so that the template itself can be dropped."""
        prepared = self._prepared.pop(template, None)
        if prepared is not None:
            self._drop(prepared.result())

    def dispose(self) -> None:
        """Waits for the databases being made or dropped and drops those made ahead; an error of a drop
        made in the background is raised here."""
        for template in list(self._prepared):
            self.forget_template(template)
        self._maker.shutdown(wait=True)
        self._dropper.shutdown(wait=True)
        for dropped in self._dropping:
            dropped.result()
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = postgres_server_url()
    if url is None:
        pytest.skip("no PostgreSQL configured (HDEX_DATABASE_URL / HDEX_TEST_POSTGRES_URL)")
    server = PostgresServer(url)
    yield server
    server.dispose()


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """A PostgreSQL database migrated to head once per session; each test's database is created from it
    (CREATE DATABASE ... TEMPLATE copies it whole: tables, rows the migrations wrote, sequences)."""
    with postgres_server.database() as url:
        migrate.upgrade(url)  # its engine is disposed: a template must have no open connection
        template = str(make_url(url).database)
        yield template
        postgres_server.forget_template(template)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, migrated_postgres_template: str) -> Iterator[str]:
    with postgres_server.database(template=migrated_postgres_template) as url:
        yield url


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str:
    """Each database-layer test runs on SQLite (the embedded default) and on PostgreSQL, migrated to head."""
    url: str = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    return url


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """An empty database on SQLite and on PostgreSQL, for tests of the migrations themselves."""
    url: str = request.getfixturevalue("empty_sqlite_url" if request.param == "sqlite" else "empty_postgres_url")
    return url


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    """One anvil node for the session, mining on every transaction."""
    node = AnvilNode(port=free_port())
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def compiled() -> None:
    """Contracts compiled once per session (our own compile path, no brownie)."""
    from backend.chain.compiler import ensure_compiled

    ensure_compiled()


@pytest.fixture(scope="session")
def pristine_devchain(compiled: None) -> Iterator[PristineDevChain]:
    """The session's anvil with the development stack deployed, handed out by `devchain`."""
    from .devchain import PristineDevChain

    with PristineDevChain() as chain:
        yield chain


@pytest.fixture
def devchain(pristine_devchain: PristineDevChain) -> DevChain:
    """The development stack on anvil exactly as just deployed, so that nothing (reorgs included) leaks
    between tests: the session's node taken back to its state after deployment (a fraction of a second,
    where a new node and a new deployment take seconds)."""
    return pristine_devchain.fresh()
