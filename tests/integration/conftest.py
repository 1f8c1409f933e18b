"""Real parts for integration tests: anvil nodes on free ports, SQLite files, PostgreSQL databases.

PostgreSQL tests run when HDEX_DATABASE_URL (as in CI) or HDEX_TEST_POSTGRES_URL names a server;
each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend.chain.node import AnvilNode


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


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hdex.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL configured (HDEX_DATABASE_URL / HDEX_TEST_POSTGRES_URL)")
    name = f"hdex_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each database-layer test runs on SQLite (the embedded default) and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
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
def deployed(anvil: AnvilNode, compiled: None) -> object:
    """The development stack (Custody, Exchange, demo tokens), deployed once on the session's anvil."""
    from backend.chain.deploy import deploy_dev_stack
    from backend.chain.rpc import make_web3

    return deploy_dev_stack(make_web3(anvil.url))


@pytest.fixture
def devchain(compiled: None) -> Iterator[object]:
    """A fresh anvil with the development stack deployed (~0.6 s), so reorgs cannot leak between tests."""
    from backend.chain.deploy import deploy_dev_stack
    from backend.chain.rpc import make_web3

    from .devchain import DevChain

    with AnvilNode(port=free_port()) as node:
        yield DevChain(node.url, deploy_dev_stack(make_web3(node.url)))
