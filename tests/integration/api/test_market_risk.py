"""Market risk in the engine host, through the API on a real database: a fast move trips the circuit breaker
(cancels only, then the market reopens by itself after the cool-down, by the host's clock), a smaller one
raises one volatility alert per window, bands hold aggressive orders only, market and account limits refuse
with their codes, a halt survives a restart, and the door for halts from outside (feed monitor) works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import Alert, MarketHalt
from backend.errors import HdexError
from backend.trading.hosting.host import EngineHost, now_ms
from backend.trading.hosting.service import TradingService
from backend.trading.usecases.market_risk import update_market_risk

from .exchange_fixtures import MARKET, PRICE, QTY, TICK, Exchange, prepare, running
from .signed_requests import cancel_signature

MAKER, TAKER, RESTING = 5, 6, 7
RISK = {"risk_band_bps": 2_000, "risk_breaker_bps": 1_000, "risk_alert_bps": 500, "risk_window_s": 300,
        "risk_cooldown_s": 300}  # fmt: skip


class Clock:
    """The engine host's clock, moved by hand (the breaker's window and cool-down run on it)."""

    def __init__(self, exchange: Exchange) -> None:
        self.now = now_ms()
        host_of(exchange).clock = lambda: self.now


def host_of(exchange: Exchange) -> EngineHost:
    app: Any = exchange.client.app
    host: EngineHost = app.state.trading.host
    return host


def trading_of(exchange: Exchange) -> TradingService:
    app: Any = exchange.client.app
    service: TradingService = app.state.trading
    return service


@pytest.fixture
def container(sqlite_url: str, tmp_path: Path) -> Container:
    return prepare(sqlite_url, tmp_path, **RISK)


@pytest.fixture
def exchange(container: Container) -> Iterator[Exchange]:
    yield from running(container)


def trade(exchange: Exchange, price: int, qty: int = QTY // 10) -> Any:
    """A resting sell at `price`, then a buy that takes it; returns the buy's answer."""
    assert exchange.place(MAKER, side=1, baseAmount=qty, limitPrice=price).status_code == 201
    return exchange.place(TAKER, side=0, baseAmount=qty, limitPrice=price)


def market_view(exchange: Exchange) -> dict[str, Any]:
    [market] = exchange.client.get("/v1/markets").json()["markets"]
    return dict(market)


def alerts(container: Container) -> list[tuple[str, str | None, int]]:
    with container.uow() as uow:
        return [(a.kind, a.subject, a.occurrences) for a in uow.session.scalars(select(Alert).order_by(Alert.id))]


def cancel(exchange: Exchange, order_hash: str, key_index: int) -> Any:
    signature = cancel_signature(exchange.domain, order_hash, key_index)
    return exchange.client.request("DELETE", f"/v1/orders/{order_hash}", json={"signature": signature})


def test_a_fast_move_halts_the_market_for_the_cool_down_then_it_reopens_by_itself(
    exchange: Exchange, container: Container
) -> None:
    clock = Clock(exchange)
    resting = exchange.place(RESTING, side=0, baseAmount=QTY // 10, limitPrice=PRICE - 100 * TICK).json()
    assert trade(exchange, PRICE).status_code == 201  # the reference: 3,000
    with exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "markets"})
        assert ws.receive_json() == {"op": "subscribed", "channel": "markets"}
        assert ws.receive_json() == {"channel": "markets", "type": "marketStatus", "market": MARKET, "state": "open",
                                     "halt": None}  # fmt: skip
        tripping = trade(exchange, PRICE * 112 // 100)  # +12% within the window
        assert tripping.status_code == 201 and tripping.json()["status"] == "filled"  # the trade itself stands
        status = ws.receive_json()
        assert (status["type"], status["state"], status["halt"]["kind"]) == ("marketStatus", "cancel_only", "breaker")

    refused = exchange.place(TAKER, side=0, baseAmount=QTY // 10, limitPrice=PRICE)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "MARKET_CIRCUIT_BREAKER")
    until = clock.now + 300_000
    assert str(until) in refused.json()["error"]["message"]
    assert cancel(exchange, resting["hash"], RESTING).status_code == 200  # cancels still work

    market = market_view(exchange)
    assert market["state"] == "cancel_only"
    assert market["halt"] == {
        "kind": "breaker", "reason": market["halt"]["reason"], "reference": str(PRICE),
        "price": str(PRICE * 112 // 100), "haltedAt": clock.now, "until": until,
    }  # fmt: skip
    assert "up 12%" in market["halt"]["reason"]
    assert alerts(container) == [("market.circuit_breaker", f"market:{MARKET}", 1)]

    clock.now = until - 1
    assert exchange.place(TAKER, side=0, baseAmount=QTY // 10, limitPrice=PRICE).status_code == 409
    clock.now = until
    assert exchange.place(TAKER, side=0, baseAmount=QTY // 10, limitPrice=PRICE).status_code == 201
    reopened = market_view(exchange)
    assert (reopened["state"], reopened["halt"], reopened["risk"]["reference"]) == (
        "open", None, str(PRICE * 112 // 100)  # measured from where it stopped
    )  # fmt: skip


def test_a_smaller_move_raises_one_volatility_alert_per_window_without_halting(
    exchange: Exchange, container: Container
) -> None:
    clock = Clock(exchange)
    trade(exchange, PRICE)
    trade(exchange, PRICE * 106 // 100)
    trade(exchange, PRICE * 107 // 100)  # the same window: no second alert
    assert market_view(exchange)["halt"] is None
    assert alerts(container) == [("market.volatility", f"market:{MARKET}", 1)]
    clock.now += 301_000  # the next window measures from 3,210: 6% more is a new alert
    trade(exchange, PRICE * 107 * 106 // 10_000 + TICK)
    assert [kind for kind, _, _ in alerts(container)] == ["market.volatility", "market.volatility"]


def test_the_band_holds_orders_that_take_liquidity_and_lets_makers_rest_anywhere(exchange: Exchange) -> None:
    Clock(exchange)
    trade(exchange, PRICE)
    far_ask = exchange.place(MAKER, side=1, baseAmount=QTY // 10, limitPrice=PRICE * 2)  # outside, but resting
    assert far_ask.status_code == 201
    taking = exchange.place(TAKER, side=0, baseAmount=QTY // 10, limitPrice=PRICE * 2)
    assert (taking.status_code, taking.json()["error"]["code"]) == (422, "PRICE_OUTSIDE_BAND")
    message = taking.json()["error"]["message"]
    assert "2000 bps (20%)" in message and f"reference price {PRICE}" in message
    assert f"from {PRICE * 8 // 10} to {PRICE * 12 // 10}" in message
    assert exchange.place(TAKER, side=0, baseAmount=QTY // 10, limitPrice=PRICE // 2).status_code == 201  # a bid


def test_market_and_account_limits_refuse_orders_with_their_codes(exchange: Exchange, container: Container) -> None:
    with container.uow() as uow:
        limits = {"max_order_base": QTY, "max_order_notional": 2 * PRICE, "max_open_notional": 2 * PRICE}
        update_market_risk(uow.session, container.settings, MARKET, limits, actor="cli:test")
        uow.commit()
    exchange.sync()

    def code(**fields: Any) -> str:
        return str(exchange.place(MAKER, side=0, **fields).json()["error"]["code"])

    assert code(baseAmount=QTY + 10**15, limitPrice=PRICE // 3) == "ORDER_SIZE_LIMIT_EXCEEDED"
    assert code(baseAmount=QTY, limitPrice=2 * PRICE + TICK) == "MARKET_NOTIONAL_LIMIT_EXCEEDED"
    first = exchange.place(MAKER, side=0, baseAmount=QTY, limitPrice=PRICE)
    assert first.status_code == 201
    assert code(baseAmount=QTY, limitPrice=PRICE + TICK) == "OPEN_NOTIONAL_LIMIT_EXCEEDED"
    assert exchange.place(MAKER, side=0, baseAmount=QTY, limitPrice=PRICE).status_code == 201  # exactly the limit
    assert exchange.place(TAKER, side=0, baseAmount=QTY, limitPrice=PRICE).status_code == 201  # another account
    assert cancel(exchange, first.json()["hash"], MAKER).status_code == 200  # frees its notional
    assert exchange.place(MAKER, side=0, baseAmount=QTY, limitPrice=PRICE).status_code == 201


def test_a_sell_is_valued_at_the_best_bid_when_that_pays_more_than_its_limit(
    exchange: Exchange, container: Container
) -> None:
    """A sell takes the bids, at their prices: valued at its own low limit (here no band, no reference price yet),
    a sell of 3 WETH at 1,500 looked worth 4,500 USDC and passed a 6,000 limit while it would trade for 9,000."""
    with container.uow() as uow:
        update_market_risk(uow.session, container.settings, MARKET, {"max_order_notional": 2 * PRICE}, actor="t")
        uow.commit()
    exchange.sync()
    assert exchange.place(RESTING, side=0, baseAmount=2 * QTY, limitPrice=PRICE).status_code == 201
    assert exchange.place(TAKER, side=0, baseAmount=QTY, limitPrice=PRICE).status_code == 201
    dumped = exchange.place(MAKER, side=1, baseAmount=3 * QTY, limitPrice=PRICE // 2)
    assert (dumped.status_code, dumped.json()["error"]["code"]) == (422, "MARKET_NOTIONAL_LIMIT_EXCEEDED")
    assert f"(baseAmount * {PRICE}, the most a sell can be paid now / 1e18)" in dumped.json()["error"]["message"]
    assert exchange.place(MAKER, side=1, baseAmount=2 * QTY, limitPrice=PRICE // 2).status_code == 201  # 6,000
    assert exchange.place(MAKER, side=1, baseAmount=3 * QTY, limitPrice=2 * PRICE).status_code == 422  # rests: 18,000


def test_a_halt_in_force_survives_a_restart_and_a_halt_from_outside_can_be_cleared(container: Container) -> None:
    for exchange in running(container):
        trading = trading_of(exchange)
        until = now_ms() + 600_000
        exchange.client.portal.call(trading.halt_market, MARKET, "feed", "feed deviates 20%", until, PRICE, PRICE * 2)  # type: ignore[union-attr]
        with pytest.raises(HdexError) as unknown:
            exchange.client.portal.call(trading.halt_market, "NOPE-USDC", "feed", "r", until)  # type: ignore[union-attr]
        assert unknown.value.code == "UNKNOWN_MARKET"
    for exchange in running(container):  # a new process: the halt is read back
        refused = exchange.place(TAKER, side=0, baseAmount=QTY // 10)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "MARKET_CIRCUIT_BREAKER")
        assert market_view(exchange)["halt"]["kind"] == "feed"
        trading = trading_of(exchange)
        assert exchange.client.portal.call(trading.clear_halt, MARKET, "staff:risk@hdex.example") is True  # type: ignore[union-attr]
        assert exchange.client.portal.call(trading.clear_halt, MARKET, "staff:risk@hdex.example") is False  # type: ignore[union-attr]
        assert exchange.place(TAKER, side=0, baseAmount=QTY // 10).status_code == 201
        assert market_view(exchange)["halt"] is None
    with container.uow() as uow:
        row = uow.session.get(MarketHalt, MARKET)
        assert row is not None
        assert (row.kind, row.cleared_by, row.until_ms) == ("feed", "staff:risk@hdex.example", until)
        [entry] = list_entries(uow.session, AuditFilter(action="market.halt.clear"), 10)
    assert (entry.actor, entry.target, entry.before["kind"], entry.after) == (
        "staff:risk@hdex.example", f"market:{MARKET}", "feed", None
    )  # fmt: skip
