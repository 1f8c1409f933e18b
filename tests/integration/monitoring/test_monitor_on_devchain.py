"""The monitor on the dev chain (anvil, the dev stack's DevPriceFeed as WETH-USDC's price source) and a real
engine host: a feed the last trade strays from raises FEED_DEVIATION and, past the halt limit, halts the market
through `TradingService.halt_market`; a stale feed raises FEED_STALE; a ledger that disagrees with the chain
raises LEDGER_DIFFERENCE and pauses withdrawals; a call scheduled through the Custody timelock raises
CUSTODY_CALL_SCHEDULED."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web3 import Web3

from backend.alerts import AlertKind
from backend.api.app import create_app
from backend.bootstrap import Container
from backend.chain.deploy import DEV_FEED_ANSWER, attach_dev_price_feed
from backend.chain.devkeys import DEPLOYER_INDEX
from backend.db.models import ChainCursor, MarketHalt
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.monitoring.runner import Monitor, ServingLoopHalts
from backend.risk.withdrawal_pause import active_pause

from ..devchain import DevChain, address_of, dev_market_container
from .conftest import add_fill

pytestmark = pytest.mark.chain

FEED_PRICE = 2_000 * 10**6  # the dev feed's 2,000e8 (8 decimals) on WETH-USDC's grid


@pytest.fixture
def container(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[Container]:
    container = dev_market_container(
        devchain, sqlite_url, tmp_path, trading_sync_interval=60.0, risk_feed_alert_bps=300,
        risk_feed_halt_bps=1_500, risk_cooldown_s=600,
    )  # fmt: skip
    yield container
    container.db_engine.dispose()


def with_price_feed(devchain: DevChain) -> Any:
    contracts = devchain.stack.contracts
    attach_dev_price_feed(
        devchain.w3, devchain.contract("Custody", contracts["Custody"]), devchain.exchange,
        contracts["WETH"], contracts["USDC"], contracts["DevPriceFeed"],
    )  # fmt: skip
    return devchain.contract("DevPriceFeed", contracts["DevPriceFeed"])


def trade_at(container: Container, fill_id: int, price: int, now_ms: int) -> None:
    with container.uow() as uow:
        add_fill(uow.session, fill_id, price=price, created_at_ms=now_ms)
        uow.commit()


def kinds(report: Any) -> list[tuple[AlertKind, str]]:
    return [(raised.kind, raised.severity.value) for raised in report.raised]


def test_a_deviating_feed_alerts_then_halts_the_market_and_a_stale_one_alerts(
    devchain: DevChain, container: Container
) -> None:
    feed = with_price_feed(devchain)
    with TestClient(create_app(container)) as client:
        app: Any = client.app
        loop = client.portal.call(asyncio.get_running_loop)  # the loop the engine host serves on
        monitor = Monitor(container, operator=False, halts=ServingLoopHalts(lambda: app.state.trading, lambda: loop))
        now = client.portal.call(lambda: app.state.trading.host.clock())  # type: ignore[no-any-return]
        try:
            assert monitor.run_once(now).raised == []  # no trade yet: nothing to compare

            trade_at(container, 1, FEED_PRICE * 105 // 100, now - 1_000)  # 5 %: past the alert, within the halt
            assert kinds(monitor.run_once(now)) == [(AlertKind.FEED_DEVIATION, "warning")]

            trade_at(container, 2, FEED_PRICE * 120 // 100, now)  # 20 %: past the halt limit
            report = monitor.run_once(now + 1)
            assert kinds(report) == [(AlertKind.FEED_DEVIATION, "critical")] and report.halted == ["WETH-USDC"]
            with container.uow() as uow:
                halt = uow.session.scalars(select(MarketHalt)).one()
            assert (halt.market, halt.kind, halt.reference, halt.price) == (
                "WETH-USDC", "feed", FEED_PRICE, FEED_PRICE * 120 // 100,
            )  # fmt: skip
            assert halt.until_ms == now + 1 + 600_000

            block_time = int(devchain.w3.eth.get_block("latest")["timestamp"])
            devchain.send(DEPLOYER_INDEX, feed.functions.setRound(DEV_FEED_ANSWER, block_time - 3_601))
            stale = monitor.run_once(now + 2)
            assert kinds(stale) == [(AlertKind.FEED_STALE, "warning")]
            assert "s old (trusted 3600 s)" in stale.raised[0].message
        finally:
            monitor.close()


def test_a_ledger_that_disagrees_with_the_chain_pauses_withdrawals_and_raises_a_critical_alert(
    devchain: DevChain, container: Container
) -> None:
    head = devchain.head()
    weth = devchain.stack.contracts["WETH"]
    with container.uow() as uow:  # the indexer at the head, and a credit the chain never made
        exchange = devchain.exchange.address
        uow.session.add(ChainCursor(chain_id=31337, contract=exchange, last_block=head, final_block=head, reorgs=0))
        postings = [Posting(EXTERNAL, weth, -5), Posting(address_of(5), weth, 5)]
        ledger.post(uow.session, [ledger.NewTransaction("deposit", "bogus", postings)])
        uow.commit()
    monitor = Monitor(container, operator=True, feeds=False)
    try:
        report = monitor.run_once(reconcile=True)
    finally:
        monitor.close()
    assert report.failures == {}
    assert (AlertKind.LEDGER_DIFFERENCE, "critical") in kinds(report)
    with container.uow() as uow:
        pause = active_pause(uow.session)
    assert pause is not None and pause.reason == f"ledger and chain differ at block {head} (2 difference(s))"


def scheduled_alerts(report: Any) -> list[Any]:
    return [raised for raised in report.raised if raised.kind is AlertKind.CUSTODY_CALL_SCHEDULED]


def test_a_call_scheduled_through_the_custody_timelock_alerts_staff_once_while_it_may_still_run(
    devchain: DevChain, container: Container
) -> None:
    """Two owners' keys stolen schedule an operator of their own: staff must hear of it before it is due."""
    intruder = address_of(7)
    add_operator = Web3.to_bytes(hexstr=devchain.exchange.encode_abi("addOperator", args=[intruder]))
    salt = Web3.keccak(text="stolen keys")
    monitor = Monitor(container, operator=True, feeds=False)
    try:
        assert scheduled_alerts(monitor.run_once(reconcile=False)) == []  # nothing scheduled
        custody = devchain.schedule(devchain.exchange.address, add_operator, salt)
        first, second = monitor.run_once(reconcile=False), monitor.run_once(reconcile=False)
    finally:
        monitor.close()

    assert first.failures == {}
    (raised,) = scheduled_alerts(first)
    assert (raised.kind, raised.severity.value, raised.subject, raised.new) == (
        AlertKind.CUSTODY_CALL_SCHEDULED,
        "warning",
        f"custody:{custody.address}",
        True,
    )
    operation = "0x" + custody.functions.hashOperation(devchain.exchange.address, 0, add_operator, salt).call().hex()
    assert f"Exchange.addOperator(operator={intruder}) on {devchain.exchange.address}, due at " in raised.message
    assert raised.message.endswith(f"the owners can cancel it until then (Custody.cancel({operation}))")
    assert [r.new for r in scheduled_alerts(second)] == [False]  # one alert, counting occurrences


def test_an_admin_handed_to_anything_but_a_custody_raises_a_critical_alert_and_a_new_custody_is_followed(
    devchain: DevChain, container: Container
) -> None:
    """Stolen owner keys hand the Exchange's admin to an account of theirs: its changes need not wait, so staff hear
    of it at once. An admin handed to a new Custody is followed: its scheduled calls are the ones alerted."""
    monitor = Monitor(container, operator=True, feeds=False)
    try:
        new = devchain.deploy_custody()
        devchain.hand_admin_to(new)
        fees = Web3.to_bytes(hexstr=devchain.exchange.encode_abi("setFeeSchedule", args=[1500, 2500]))
        devchain.schedule(devchain.exchange.address, fees, Web3.keccak(text="fees"), new)
        followed = monitor.run_once(reconcile=False)

        intruder = address_of(7)
        devchain.hand_admin_to(intruder, new)
        seized = monitor.run_once(reconcile=False)
    finally:
        monitor.close()

    assert followed.failures == {}
    (raised,) = scheduled_alerts(followed)
    assert raised.subject == f"custody:{new}"
    assert "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500) on " in raised.message
    assert seized.failures == {}
    (raised,) = [raised for raised in seized.raised if raised.kind is AlertKind.ADMIN_NOT_CUSTODY]
    assert (raised.severity.value, raised.subject) == ("critical", f"admin:{intruder}")
    assert raised.message.startswith(f"the Exchange's admin is {intruder}, whose code is not HDEX's Custody")
