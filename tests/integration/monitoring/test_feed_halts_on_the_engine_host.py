"""A feed halt through the running engine host (`TradingService.halt_market` on the API's event loop, as `hdex up`
wires it), on a real database with a fake node at the edge: the critical alert is stored in the transaction
that stores the halt, so a feed pass that fails after halting loses neither, and a pass of a process that
cannot halt (`hdex monitor run-once`) hides nothing of the halt that follows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.alerts import AlertKind
from backend.bootstrap import Container
from backend.db.models import Alert, MarketHalt
from backend.monitoring.feeds import check_feeds
from backend.monitoring.runner import ServingLoopHalts
from backend.trading.hosting.host import now_ms
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import EXCHANGE, MARKET, PRICE, USDC, WETH, Exchange, prepare, running
from .conftest import CHAIN_NOW, FEED, FakeChain, add_fill

FEED_ANSWER = 3_000 * 10**8  # the feed: PRICE (3,000 USDC per WETH) at 8 decimals


@pytest.fixture
def container(sqlite_url: str, tmp_path: Path) -> Container:
    return prepare(sqlite_url, tmp_path, risk_feed_alert_bps=300, risk_feed_halt_bps=1_000, risk_cooldown_s=900)


@pytest.fixture
def exchange(container: Container, chain: FakeChain) -> Iterator[Exchange]:
    chain.feeds[(checksum(WETH), checksum(USDC))] = (FEED, 3_600)
    chain.rounds[FEED] = (FEED_ANSWER, CHAIN_NOW - 60)
    yield from running(container)


def engine_host_halts(exchange: Exchange) -> ServingLoopHalts:
    app: Any = exchange.client.app
    loop = exchange.client.portal.call(asyncio.get_running_loop)
    return ServingLoopHalts(lambda: app.state.trading, lambda: loop)


def trade(container: Container, fill_id: int, price: int, at_ms: int) -> None:
    with container.uow() as uow:
        add_fill(uow.session, fill_id, price=price, created_at_ms=at_ms)
        uow.commit()


def stored_alerts(container: Container) -> list[tuple[str, str, str, int]]:
    with container.uow() as uow:
        return [(a.kind, a.severity, a.message, a.occurrences) for a in uow.session.scalars(select(Alert))]


def test_a_feed_pass_that_fails_after_halting_leaves_the_halt_and_its_critical_alert_stored(
    exchange: Exchange, container: Container, chain: FakeChain
) -> None:
    now = now_ms()
    trade(container, 1, PRICE * 2, now - 1_000)
    with container.uow() as uow:
        report = check_feeds(uow.session, chain, EXCHANGE, container.settings, now, engine_host_halts(exchange))
        # the pass dies here: its own unit of work is never committed
    assert report.halted == [MARKET]
    with container.uow() as uow:
        halt = uow.session.get(MarketHalt, MARKET)
    assert halt is not None and halt.until_ms == now + 900_000
    assert stored_alerts(container) == [
        (AlertKind.FEED_DEVIATION.value, "critical",
         f"{MARKET}: last trade {PRICE * 2} is 10000 bps from the feed's {PRICE}: halted until {now + 900_000}", 1),
    ]  # fmt: skip


def test_a_pass_that_cannot_halt_before_the_engine_host_halts_leaves_the_halt_its_own_new_critical_alert(
    exchange: Exchange, container: Container, chain: FakeChain
) -> None:
    now = now_ms()
    trade(container, 1, PRICE * 2, now - 1_000)
    with container.uow() as uow:  # `hdex monitor run-once`, or a standby engine process: no engine host here
        check_feeds(uow.session, chain, EXCHANGE, container.settings, now, None)
        uow.commit()
    with container.uow() as uow:  # then the process that runs the market
        check_feeds(uow.session, chain, EXCHANGE, container.settings, now + 1, engine_host_halts(exchange))
        uow.commit()
    words = f"{MARKET}: last trade {PRICE * 2} is 10000 bps from the feed's {PRICE}"
    assert stored_alerts(container) == [
        (AlertKind.FEED_DEVIATION.value, "warning",
         f"{words} (alert at 300); past the halt limit 1000, not halted from here: no engine host in this process", 1),
        (AlertKind.FEED_DEVIATION.value, "critical", f"{words}: halted until {now + 1 + 900_000}", 1),
    ]  # fmt: skip
