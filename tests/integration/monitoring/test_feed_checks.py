"""Price feeds, on a real database with a fake node: a stale or broken feed raises FEED_STALE, a last trade
away from the feed FEED_DEVIATION, and one past the halt limit halts the market through the trading door,
once per deviating trade; nothing a feed answers stops the pass."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils.address import to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.alerts import AlertKind, PendingAlert
from backend.chain.jsonrpc import RpcError
from backend.db.models import Alert, MarketHalt, MarketRisk
from backend.engine import MarketState
from backend.metrics import FEED_DEVIATION, FEED_UP
from backend.monitoring.feeds import HaltUnavailable, check_feeds
from backend.monitoring.report import PassReport
from backend.settings import load_settings
from backend.trading.hosting.host import now_ms
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market
from backend.trading.usecases.market_state import change_market_state

from .conftest import CHAIN_NOW, EXCHANGE, FEED, NOW_MS, PRICE, USDC, WETH, FakeChain, add_fill, add_weth_usdc

# the markets' risk defaults: alert at 3 %, halt at 10 % for 900 s
SETTINGS = load_settings(_env_file=None, risk_feed_alert_bps=300, risk_feed_halt_bps=1_000, risk_cooldown_s=900)
ANSWER = 2_000 * 10**8  # the feed: 2,000 USDC per WETH, 8 decimals -> PRICE on the market's grid


class FakeTrading:
    """The trading door (`TradingService.halt_market`) as the monitor calls it."""

    def __init__(self, refuse: Exception | None = None) -> None:
        self.halts: list[tuple[Any, ...]] = []
        self.alerts: list[PendingAlert] = []  # what the door stores with each halt
        self.refuse = refuse

    def halt_market(
        self,
        market: str,
        kind: str,
        reason: str,
        until_ms: int,
        *,
        reference: int | None,
        price: int | None,
        alert: PendingAlert,
    ) -> None:
        if self.refuse is not None:
            raise self.refuse
        self.halts.append((market, kind, reason, until_ms, reference, price))
        self.alerts.append(alert)


@pytest.fixture
def market(sessions: sessionmaker[Session], chain: FakeChain) -> None:
    with sessions() as session:
        add_weth_usdc(session)
        session.commit()
    chain.feeds[(WETH, USDC)] = (FEED, 3_600)
    chain.rounds[FEED] = (ANSWER, CHAIN_NOW - 60)


def a_pass(
    sessions: sessionmaker[Session], chain: FakeChain, trading: FakeTrading | None, now_ms: int = NOW_MS
) -> PassReport:
    with sessions() as session:
        report = check_feeds(session, chain, EXCHANGE, SETTINGS, now_ms, trading)
        session.commit()
    return report


def trade(sessions: sessionmaker[Session], fill_id: int, price: int, at_ms: int = NOW_MS - 1_000) -> None:
    with sessions() as session:
        add_fill(session, fill_id, price=price, created_at_ms=at_ms)
        session.commit()


def test_a_fresh_feed_that_agrees_with_the_last_trade_raises_nothing(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 10_299 // 10_000)  # 2.99 %: within the 3 % alert limit
    trading = FakeTrading()
    report = a_pass(sessions, chain, trading)
    assert report.raised == [] and report.failures == {} and trading.halts == []
    assert FEED_DEVIATION.labels(market="WETH-USDC")._value.get() == 299


def test_a_market_without_a_price_source_is_not_watched(sessions: sessionmaker[Session], chain: FakeChain) -> None:
    with sessions() as session:
        add_weth_usdc(session)
        add_fill(session, 1, price=PRICE * 2)
        session.commit()
    assert a_pass(sessions, chain, FakeTrading()).raised == []
    assert "eth_call" in chain.calls  # it asked the Exchange


@pytest.mark.parametrize(
    ("round_", "words"),
    [
        ((ANSWER, CHAIN_NOW - 3_601), "answer is 3601 s old (trusted 3600 s)"),
        ((ANSWER, CHAIN_NOW + 5), "answer is from the future"),
        ((ANSWER, 0), "s old (trusted 3600 s)"),
        ((-1, CHAIN_NOW), "is unreadable: answers -1, not a price"),
        (RpcError("eth_call: execution reverted"), "is unreadable: eth_call: execution reverted"),
    ],
)
def test_a_stale_or_broken_feed_raises_feed_stale(
    sessions: sessionmaker[Session], chain: FakeChain, market: None, round_: Any, words: str
) -> None:
    chain.rounds[FEED] = round_
    [raised] = a_pass(sessions, chain, FakeTrading()).raised
    assert (raised.kind, raised.severity.value, raised.subject) == (AlertKind.FEED_STALE, "warning", "market:WETH-USDC")
    assert words in raised.message and "stop orders waiting on it do not settle" in raised.message


def test_a_feed_answer_exactly_max_age_old_is_still_trusted(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    chain.rounds[FEED] = (ANSWER, CHAIN_NOW - 3_600)  # PriceSourceLib.isStale: now - updatedAt > maxAge
    assert a_pass(sessions, chain, FakeTrading()).raised == []
    assert FEED_UP.labels(market="WETH-USDC")._value.get() == 1


def test_a_last_trade_past_the_alert_limit_raises_feed_deviation_without_halting(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 10_500 // 10_000)
    trading = FakeTrading()
    [raised] = a_pass(sessions, chain, trading).raised
    assert (raised.kind, raised.severity.value) == (AlertKind.FEED_DEVIATION, "warning")
    assert raised.message == "WETH-USDC: last trade 2100000000 is 500 bps from the feed's 2000000000 (alert at 300)"
    assert trading.halts == []


def test_a_last_trade_past_the_halt_limit_halts_the_market_through_the_trading_door(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 8_900 // 10_000)  # 11 % below the feed
    trading = FakeTrading()
    report = a_pass(sessions, chain, trading)
    [(market_name, kind, reason, until_ms, reference, price)] = trading.halts
    assert (market_name, kind, until_ms, reference, price) == (
        "WETH-USDC", "feed", NOW_MS + 900_000, PRICE, PRICE * 8_900 // 10_000,
    )  # fmt: skip
    assert reason == "last trade 1780000000 is 1100 bps from the feed's 2000000000 (halt at 1000 bps)"
    assert report.halted == ["WETH-USDC"]
    [raised] = report.raised
    assert (raised.kind, raised.severity.value) == (AlertKind.FEED_DEVIATION, "critical")
    assert raised.message.endswith(f"halted until {NOW_MS + 900_000}")


def test_a_market_is_halted_once_per_deviating_trade_not_again_on_the_same_old_price(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 2)
    trading = FakeTrading()
    a_pass(sessions, chain, trading)
    with sessions() as session:  # what the door records (the engine host's writer, in the real one)
        session.add(MarketHalt(market="WETH-USDC", kind="feed", reason="r", reference=PRICE, price=PRICE * 2,
                               halted_at_ms=NOW_MS, until_ms=NOW_MS + 900_000))  # fmt: skip
        session.commit()
    a_pass(sessions, chain, trading, NOW_MS + 60_000)  # still halted
    a_pass(sessions, chain, trading, NOW_MS + 1_000_000)  # reopened, nobody traded since
    assert len(trading.halts) == 1
    trade(sessions, 2, PRICE * 2, at_ms=NOW_MS + 1_100_000)  # a new trade, as far off
    report = a_pass(sessions, chain, trading, NOW_MS + 1_200_000)
    assert len(trading.halts) == 2
    assert [(r.kind, r.new) for r in report.raised] == [(AlertKind.FEED_DEVIATION, True)]


def test_a_deviation_past_the_halt_limit_on_a_halted_market_still_raises_the_warning_saying_why(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    with sessions() as session:  # a breaker halt in force
        session.add(MarketHalt(market="WETH-USDC", kind="breaker", reason="r", reference=PRICE, price=PRICE * 2,
                               halted_at_ms=NOW_MS - 500, until_ms=NOW_MS + 900_000))  # fmt: skip
        session.commit()
    trade(sessions, 1, PRICE * 2)
    trading = FakeTrading()
    report = a_pass(sessions, chain, trading)
    assert trading.halts == []
    assert [(r.kind, r.severity.value, r.message) for r in report.raised] == [
        (AlertKind.FEED_DEVIATION, "warning", "WETH-USDC: last trade 4000000000 is 10000 bps from the feed's "
         f"2000000000 (alert at 300); past the halt limit 1000, not halted: halted until {NOW_MS + 900_000}"),
    ]  # fmt: skip


def test_a_market_staff_reopened_after_the_deviating_trade_is_left_to_them_until_it_trades_again(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 2)
    with sessions() as session:  # staff halt the market, look, and set it open again
        for state in (MarketState.HALTED, MarketState.OPEN):
            change_market_state(session, "WETH-USDC", state, actor="staff:risk@hdex.example")
        session.commit()
    trading = FakeTrading()
    [raised] = a_pass(sessions, chain, trading).raised
    assert trading.halts == []
    assert raised.severity.value == "warning" and raised.message.endswith(
        "past the halt limit 1000, not halted: staff reopened it since this trade"
    )
    trade(sessions, 2, PRICE * 2, at_ms=now_ms() + 60_000)  # it trades again, as far off
    a_pass(sessions, chain, trading)
    assert len(trading.halts) == 1


def test_a_markets_own_feed_limits_win_over_the_defaults(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    with sessions() as session:
        session.add(MarketRisk(market="WETH-USDC", feed_alert_bps=100, feed_halt_bps=None, updated_by="risk@x",
                               updated_at_ms=NOW_MS))  # fmt: skip
        session.commit()
    trade(sessions, 1, PRICE * 10_200 // 10_000)  # 2 %: past the market's 1 %, within the default 3 %
    [raised] = a_pass(sessions, chain, FakeTrading()).raised
    assert raised.kind is AlertKind.FEED_DEVIATION and "(alert at 100)" in raised.message


def test_a_market_whose_feed_limits_are_off_raises_and_halts_nothing(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    with sessions() as session:
        session.add(MarketRisk(market="WETH-USDC", feed_alert_bps=0, feed_halt_bps=0, updated_by="risk@x",
                               updated_at_ms=NOW_MS))  # fmt: skip
        session.commit()
    trade(sessions, 1, PRICE * 3)
    trading = FakeTrading()
    assert a_pass(sessions, chain, trading).raised == [] and trading.halts == []


def test_a_halt_the_engine_host_refuses_raises_a_critical_alert_that_says_why(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    trade(sessions, 1, PRICE * 2)
    [refused] = a_pass(sessions, chain, FakeTrading(refuse=RuntimeError("storage down"))).raised
    assert (refused.kind, refused.severity.value) == (AlertKind.FEED_DEVIATION, "critical")
    assert refused.message.endswith("NOT halted (RuntimeError: storage down)")
    with sessions() as session:
        [details] = [a.details for a in session.scalars(select(Alert))]
    assert (details["halted"], details["haltError"]) == (False, "RuntimeError: storage down")


@pytest.mark.parametrize(
    ("trading", "why"),
    [
        (None, "no engine host in this process"),
        (FakeTrading(refuse=HaltUnavailable("this engine process stands by")), "this engine process stands by"),
    ],
)
def test_a_process_that_runs_no_engine_host_raises_the_warning_and_leaves_the_halt_to_the_one_that_does(
    sessions: sessionmaker[Session], chain: FakeChain, market: None, trading: FakeTrading | None, why: str
) -> None:
    trade(sessions, 1, PRICE * 2)
    report = a_pass(sessions, chain, trading)
    assert report.halted == []
    assert [(r.kind, r.severity.value, r.message) for r in report.raised] == [
        (AlertKind.FEED_DEVIATION, "warning", "WETH-USDC: last trade 4000000000 is 10000 bps from the feed's "
         f"2000000000 (alert at 300); past the halt limit 1000, not halted from here: {why}"),
    ]  # fmt: skip


def test_a_node_that_fails_on_one_market_is_a_failure_of_that_check_not_an_alert(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    chain.rounds[FEED] = RpcError("eth_call: ReadTimeout: timed out")
    report = a_pass(sessions, chain, FakeTrading())
    assert report.raised == [] and set(report.failures) == {"feeds:WETH-USDC"}
    chain.down = True
    assert set(a_pass(sessions, chain, FakeTrading()).failures) == {"feeds"}


def test_whatever_one_markets_feed_does_the_next_market_is_still_watched(
    sessions: sessionmaker[Session], chain: FakeChain, market: None
) -> None:
    wbtc, other_feed = "0x" + "33" * 20, "0x" + "fd" * 20
    with sessions() as session:
        add_market(session, Market("AAA-USDC", wbtc, USDC, "AAA", "USDC", 18, 6, 10**4, 10**15, 0, 0, 0,
                                   MarketState.OPEN))  # fmt: skip
        session.commit()
    chain.feeds[(to_checksum_address(wbtc), USDC)] = (to_checksum_address(other_feed), 3_600)  # no round: KeyError
    trade(sessions, 1, PRICE * 2)
    report = a_pass(sessions, chain, FakeTrading())
    assert set(report.failures) == {"feeds:AAA-USDC"} and "KeyError" in report.failures["feeds:AAA-USDC"]
    assert [r.kind for r in report.raised] == [AlertKind.FEED_DEVIATION]  # WETH-USDC, checked after AAA-USDC
