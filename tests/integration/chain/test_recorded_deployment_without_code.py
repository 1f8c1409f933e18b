"""`hdex up` in production on a node without the recorded deployment's code (a wrong or a fresh node) says so and
names HDEX_RPC_URL, where it said that no deployment was recorded and to run `hdex chain deploy`: deploying again
would be the wrong remedy (new contracts, every balance left at the old addresses)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from backend.bootstrap import bootstrap
from backend.chain.deployments import record_deployments
from backend.entrypoints.runtime import StartupError, ensure_contracts
from backend.settings import Environment, Settings

from ..devchain import DevChain

pytestmark = pytest.mark.chain

NOWHERE = "0x" + "11" * 20  # no code on the node


def test_a_recorded_deployment_the_node_has_no_code_of_is_named_with_the_rpc_url(
    devchain: DevChain, sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, rpc_url=devchain.url)
    container = bootstrap(settings)
    with container.uow() as uow:
        record_deployments(uow.session, settings.chain_id, {"Exchange": NOWHERE}, 1)
        uow.commit()
    # production's start-up path, without production's other requirements (PostgreSQL, keys, domains)
    production = dataclasses.replace(container, settings=settings.model_copy(update={"env": Environment.PRODUCTION}))

    with pytest.raises(StartupError) as refused:
        ensure_contracts(production)

    assert str(refused.value) == (
        f"the deployment recorded for chain 31337 has no code on the node at {devchain.url} (Exchange): "
        "check HDEX_RPC_URL"
    )
    container.db_engine.dispose()
