"""The indexer as a service: one writer per chain, and `hdex indexer` as its own process."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.bootstrap import Container, bootstrap
from backend.chain.deployments import record_deployments
from backend.db import migrate
from backend.db.models import Lease
from backend.ledger import service as ledger
from backend.paths import PROJECT_ROOT
from backend.settings import load_settings
from indexer.runner import IndexerLoop, build_follower
from tests.processes import without_hdex_settings

from ..devchain import DevChain, address_of

pytestmark = pytest.mark.chain

ALICE = 5


@pytest.fixture
def container(devchain: DevChain, database_url: str) -> Iterator[Container]:
    migrate.upgrade(database_url)
    built = bootstrap(load_settings(_env_file=None, database_url=database_url, rpc_url=devchain.url, confirmations=1))
    with built.uow() as uow:
        record_deployments(uow.session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        uow.commit()
    yield built
    built.db_engine.dispose()


def credited(container: Container, devchain: DevChain) -> int:
    with container.uow() as uow:
        return ledger.balances(uow.session).get((address_of(ALICE), devchain.token("USDC").address), 0)


def test_only_one_indexer_writes_for_a_chain_until_its_lease_is_given_up(
    container: Container, devchain: DevChain
) -> None:
    first = IndexerLoop(container, build_follower(container))
    second = IndexerLoop(container, build_follower(container))
    devchain.deposit(ALICE, "USDC", 300)
    assert first.poll() is not None
    assert second.poll() is None  # the first holds the chain's lease
    first.leased.release()  # as the first does when it stops
    assert second.poll() is not None
    assert credited(container, devchain) == 300  # credited once, whoever polled


def test_hdex_indexer_runs_as_its_own_process_and_stops_on_sigterm(
    container: Container, devchain: DevChain, database_url: str, tmp_path: Path
) -> None:
    env = without_hdex_settings(HDEX_DATABASE_URL=database_url, HDEX_RPC_URL=devchain.url, HDEX_CONFIRMATIONS="1",
               HDEX_DATA_DIR=str(tmp_path))  # fmt: skip
    log = (tmp_path / "indexer.log").open("wb")
    indexer = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "indexer", "--interval", "0.2"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        devchain.deposit(ALICE, "USDC", 400)
        deadline = time.monotonic() + 60  # a generous bound; nothing asserts a duration
        while credited(container, devchain) != 400:
            assert indexer.poll() is None, (tmp_path / "indexer.log").read_text()
            assert time.monotonic() < deadline, "the indexer process never credited the deposit"
            time.sleep(0.2)
    finally:
        indexer.send_signal(signal.SIGTERM)
        assert indexer.wait(timeout=30) == 0
        log.close()
    assert "indexer stopped" in (tmp_path / "indexer.log").read_text()


def test_the_indexer_takes_its_lease_for_the_ttl_in_the_settings(container: Container) -> None:
    settings = container.settings.model_copy(update={"indexer_lease_s": 42.0})
    configured = dataclasses.replace(container, settings=settings)
    indexer = IndexerLoop(configured, build_follower(configured))
    before = int(time.time() * 1000)
    assert indexer.poll() is not None
    after = int(time.time() * 1000)
    with container.session_factory() as session:
        lease = session.get(Lease, indexer.leased.lease)
    assert lease is not None and before + 42_000 <= lease.expires_at_ms <= after + 42_000


def test_hdex_indexer_refuses_an_interval_its_lease_would_not_outlast(
    container: Container, devchain: DevChain, database_url: str, tmp_path: Path
) -> None:
    env = without_hdex_settings(HDEX_DATABASE_URL=database_url, HDEX_RPC_URL=devchain.url, HDEX_INDEXER_LEASE_S="5",
               HDEX_DATA_DIR=str(tmp_path))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "indexer", "--interval", "5"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "hdex indexer: the indexer interval (5.0s) must be shorter than its lease TTL (5.0s)" in result.stderr
