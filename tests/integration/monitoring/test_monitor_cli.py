"""`hdex monitor run-once`: one pass, each alert raised on a line, each check that could not run on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from backend.chain.deployments import record_deployments
from backend.cli import main
from backend.db.session import make_engine
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


def test_a_pass_prints_what_it_raised_and_what_it_could_not_check(cli: CliRunner, sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        record_deployments(session, 31337, {"Exchange": EXCHANGE}, 1)
        session.commit()
    engine.dispose()
    result = cli.invoke(main, ["monitor", "run-once", "--no-feeds"])
    assert result.exit_code == 2, result.output
    assert "operator.screening_list_stale" in result.output and "no sanctions list is imported" in result.output
    for check in ("gas", "indexer"):  # the ledger is empty: nothing to read from the chain
        assert f"FAILED   {check}: " in result.output


def test_without_a_deployment_the_pass_says_what_to_run(cli: CliRunner) -> None:
    result = cli.invoke(main, ["monitor", "run-once"])
    assert result.exit_code == 2
    assert "FAILED   deployment: no Exchange deployment recorded for chain 31337" in result.output
