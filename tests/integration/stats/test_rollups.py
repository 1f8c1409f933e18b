"""The rollups after a scenario with trades on two markets, deposits, withdrawals, a reversed deposit, a failed
settlement and behaviour events: they equal a recomputation from the raw rows, a second pass changes nothing,
a rebuild from scratch gives what the incremental passes gave, and a settlement failing after its fill was
rolled up takes it out of the figures (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

from sqlalchemy import select

from backend.db.leases import acquire_lease
from backend.db.models import StatsMarketDay, StatsTokenDay
from backend.stats.days import day_of
from backend.stats.service import LEASE, StatsWorker

from ..api.exchange_fixtures import PRICE, QTY, Exchange
from .conftest import SECOND, fail_last_unsettled, first_half, second_half, trade
from .expected import recompute, rollups


def run(exchange: Exchange) -> None:
    exchange.drain()  # the engine host's last batch of fills is written
    assert StatsWorker(exchange.container, read_chain=False).run_once()


def test_rollups_equal_a_recomputation_from_the_raw_rows(exchange: Exchange) -> None:
    scenario = first_half(exchange)
    run(exchange)
    second_half(exchange, scenario)
    run(exchange)
    with exchange.container.uow() as uow:
        stored, wanted = rollups(uow.session), recompute(uow.session)
        today = day_of(time.time_ns() // 1_000_000)
        weth = uow.session.get(StatsMarketDay, ("WETH-USDC", today))
        wbtc = uow.session.get(StatsMarketDay, (SECOND, today))
        usdc_days = uow.session.scalars(select(StatsTokenDay).where(StatsTokenDay.day == today)).all()
    assert stored == wanted
    # the scenario's own figures, so that an empty recomputation could not pass
    assert weth is not None and (weth.trades, weth.failed_trades) == (2, 1)
    assert wbtc is not None and (wbtc.trades, wbtc.base_volume) == (2, 3 * 10**18)
    assert any(t.withdrawals for t in usdc_days) and len(stored["stats_market_days"]) == 4
    assert len({row[1] for row in stored["stats_user_days"]}) >= 1


def test_a_second_pass_changes_nothing_and_a_rebuild_gives_the_incremental_figures(exchange: Exchange) -> None:
    scenario = first_half(exchange)
    run(exchange)
    second_half(exchange, scenario)
    run(exchange)
    with exchange.container.uow() as uow:
        incremental = rollups(uow.session)
    run(exchange)
    with exchange.container.uow() as uow:
        assert rollups(uow.session) == incremental
    assert StatsWorker(exchange.container, read_chain=False).rebuild()
    with exchange.container.uow() as uow:
        rebuilt = rollups(uow.session)
    assert rebuilt == incremental
    assert all(incremental.values())  # every table has rows: the comparison compares something


def test_a_fill_whose_settlement_fails_after_a_pass_rolled_it_up_drops_out_of_the_figures(exchange: Exchange) -> None:
    trade(exchange, 5, 6)
    trade(exchange, 6, 7, taker_buys=False)
    run(exchange)
    today = day_of(time.time_ns() // 1_000_000)
    with exchange.container.uow() as uow:
        before = uow.session.get(StatsMarketDay, ("WETH-USDC", today))
        assert before is not None and (before.trades, before.failed_trades, before.base_volume) == (2, 0, 2 * QTY)
    fail_last_unsettled(exchange)  # the relayer gives up on a fill the pass already counted
    run(exchange)
    with exchange.container.uow() as uow:
        after = uow.session.get(StatsMarketDay, ("WETH-USDC", today))
        stored, wanted = rollups(uow.session), recompute(uow.session)
    assert after is not None and (after.trades, after.failed_trades, after.base_volume) == (1, 1, QTY)
    assert after.quote_volume == QTY * PRICE // 10**18 and after.traders == 2
    assert stored == wanted


def test_while_another_process_holds_the_stats_lease_a_pass_and_a_rebuild_do_nothing(exchange: Exchange) -> None:
    first_half(exchange)
    exchange.drain()
    with exchange.container.uow() as uow:
        assert acquire_lease(uow.session, LEASE, "another-host:1", ttl_s=60)
    worker = StatsWorker(exchange.container, read_chain=False)
    assert worker.run_once() == []
    assert worker.rebuild() is False
    with exchange.container.uow() as uow:
        assert not any(rollups(uow.session).values())
