"""Value locked: a pass reads the Exchange's token balances from a real chain (anvil, the dev stack deployed)
into today's token rows; a rebuild keeps that reading (an observation, not a rollup); a chain that does not
answer leaves the figures as they were."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from backend.bootstrap import bootstrap
from backend.db.models import StatsChainBalance, StatsTokenDay
from backend.settings import load_settings
from backend.stats.service import StatsWorker

from ..conftest import free_port
from ..devchain import DevChain, dev_market_container
from .expected import rollups


def test_a_pass_reads_the_exchanges_balances_from_the_chain_into_todays_token_rows(
    devchain: DevChain, sqlite_url: str, tmp_path: Path
) -> None:
    container = dev_market_container(devchain, sqlite_url, tmp_path)
    devchain.deposit(5, "USDC", 1_234 * 10**6)
    devchain.deposit(6, "WETH", 3 * 10**18)
    held = {
        symbol: int(devchain.token(symbol).functions.balanceOf(devchain.exchange.address).call())
        for symbol in ("WETH", "USDC")
    }
    assert held["USDC"] >= 1_234 * 10**6 and held["WETH"] >= 3 * 10**18

    assert StatsWorker(container).run_once()
    with container.uow() as uow:
        rows = {row.token: row for row in uow.session.scalars(select(StatsTokenDay))}
        before = rollups(uow.session)
    assert {rows[devchain.token(s).address].value_locked for s in ("WETH", "USDC")} == set(held.values())
    assert all(row.deposits == 0 for row in rows.values())  # the indexer has not credited them: no flows yet

    assert StatsWorker(container, read_chain=False).rebuild()
    with container.uow() as uow:
        assert rollups(uow.session) == before
    container.db_engine.dispose()


def test_a_chain_that_does_not_answer_leaves_the_figures_as_they_were(
    devchain: DevChain, sqlite_url: str, tmp_path: Path
) -> None:
    container = dev_market_container(devchain, sqlite_url, tmp_path)
    assert StatsWorker(container).run_once()
    with container.uow() as uow:
        before = rollups(uow.session), len(uow.session.scalars(select(StatsChainBalance)).all())
    nobody = f"http://127.0.0.1:{free_port()}"  # nobody listens: the node is down
    down = bootstrap(load_settings(_env_file=None, database_url=sqlite_url, data_dir=tmp_path, rpc_url=nobody))
    assert StatsWorker(down).run_once()
    with container.uow() as uow:
        assert (rollups(uow.session), len(uow.session.scalars(select(StatsChainBalance)).all())) == before
    for each in (container, down):
        each.db_engine.dispose()
