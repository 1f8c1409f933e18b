"""`hdex monitor run-once`: one pass, each alert raised on a line, each check that could not run on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from backend.chain.deployments import record_deployments
from backend.cli import main
from backend.db.leases import acquire_lease
from backend.db.models import Lease
from backend.db.session import make_engine
from backend.monitoring import runner
from backend.settings import get_settings

from ..conftest import free_port
from .conftest import EXCHANGE


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("HDEX_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HDEX_RPC_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens: the node is down
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def deployed(sqlite_url: str) -> Iterator[Session]:
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        record_deployments(session, 31337, {"Exchange": EXCHANGE}, 1)
        session.commit()
        yield session
    engine.dispose()


def test_a_pass_prints_what_it_raised_and_what_it_could_not_check(cli: CliRunner, deployed: Session) -> None:
    result = cli.invoke(main, ["monitor", "run-once", "--no-feeds"])
    assert result.exit_code == 2, result.output
    assert "operator.screening_list_stale" in result.output and "no sanctions list is imported" in result.output
    for check in ("gas", "indexer"):  # the ledger is empty: nothing to read from the chain
        assert f"FAILED   {check}: " in result.output
    lease = deployed.get(Lease, runner.LEASE)
    assert lease is not None and lease.expires_at_ms == 0  # given up: the monitors take it at once


def test_a_pass_while_another_process_holds_the_monitor_lease_leaves_the_operator_checks_to_it(
    cli: CliRunner, deployed: Session
) -> None:
    assert acquire_lease(deployed, runner.LEASE, "hdex-worker", 120)
    result = cli.invoke(main, ["monitor", "run-once", "--no-feeds"])
    assert result.exit_code == 2, result.output
    assert "FAILED   operator: another process holds the monitor lease and runs the operator checks" in result.output
    assert "operator.screening_list_stale" not in result.output
    lease = deployed.get(Lease, runner.LEASE, populate_existing=True)
    assert lease is not None and lease.owner == "hdex-worker"


def test_without_a_deployment_the_pass_says_what_to_run(cli: CliRunner) -> None:
    result = cli.invoke(main, ["monitor", "run-once"])
    assert result.exit_code == 2
    assert "FAILED   deployment: no Exchange deployment recorded for chain 31337" in result.output
