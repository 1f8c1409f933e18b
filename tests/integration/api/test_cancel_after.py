"""`POST /v1/orders/cancel-after`: a dead-man switch, driven by the host's clock, never by waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend.db.models.trading import CancelAfter
from backend.engine import MarketState
from backend.trading.hosting.commands import FireCancelAfter
from backend.trading.hosting.host import EngineHost, now_ms
from backend.trading.store.markets import set_market_state

from .exchange_fixtures import MARKET, PRICE, TICK, Exchange, prepare, running, wallet
from .signed_requests import cancel_after_body


def host_of(exchange: Exchange) -> EngineHost:
    app: Any = exchange.client.app
    host: EngineHost = app.state.trading.host
    return host


class Clock:
    """The host's cancel-after clock, moved by hand."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange, self.now = exchange, now_ms()
        host_of(exchange).clock = lambda: self.now

    def tick(self, at_ms: int) -> None:
        """Move to `at_ms` and run the host's cancel-after tick on its loop, then wait for the writes."""
        self.now = at_ms
        host = host_of(self.exchange)
        self.exchange.client.portal.call(host.handle, FireCancelAfter())  # type: ignore[union-attr]
        self.exchange.client.portal.call(host.drain)  # type: ignore[union-attr]


def arm(exchange: Exchange, timeout_ms: int, key_index: int = 5, **fields: Any) -> Any:
    return exchange.client.post(
        "/v1/orders/cancel-after", json=cancel_after_body(exchange.domain, key_index, timeout_ms, **fields)
    )


def set_state(exchange: Exchange, state: MarketState) -> None:
    with exchange.container.uow() as uow:
        set_market_state(uow.session, MARKET, state)
        uow.commit()
    exchange.sync()


def statuses(exchange: Exchange, hashes: list[str]) -> list[tuple[str, str | None]]:
    views = [exchange.client.get(f"/v1/orders/{h}").json() for h in hashes]
    return [(view["status"], view["reason"]) for view in views]


def test_the_switch_cancels_every_open_order_once_the_deadline_passes(exchange: Exchange) -> None:
    clock = Clock(exchange)
    mine = [exchange.place(5, limitPrice=PRICE - i * TICK).json()["hash"] for i in range(2)]
    other = exchange.place(6, limitPrice=PRICE - TICK).json()["hash"]
    response = arm(exchange, 5_000)
    assert response.status_code == 200
    assert response.json() == {"maker": wallet(5), "market": None, "timeoutMs": 5_000, "deadline": clock.now + 5_000}

    clock.tick(clock.now + 4_999)
    assert statuses(exchange, mine) == [("open", None)] * 2
    clock.tick(clock.now + 1)
    assert statuses(exchange, mine) == [("cancelled", "cancel-after")] * 2
    assert statuses(exchange, [other]) == [("open", None)]
    with exchange.container.uow() as uow:
        (row,) = uow.session.scalars(select(CancelAfter))
        assert (row.wallet, row.scope, row.deadline_ms) == (wallet(5), "*", 0)  # fired once, then off


def test_each_call_postpones_the_deadline_and_zero_turns_the_switch_off(exchange: Exchange) -> None:
    clock = Clock(exchange)
    order = exchange.place(5).json()["hash"]
    start, stamp = clock.now, now_ms()
    arm(exchange, 5_000, market=MARKET, timestamp=stamp - 2)
    clock.tick(start + 4_000)
    assert arm(exchange, 5_000, market=MARKET, timestamp=stamp - 1).json()["deadline"] == start + 9_000  # heartbeat
    clock.tick(start + 8_999)
    assert statuses(exchange, [order]) == [("open", None)]

    off = arm(exchange, 0, market=MARKET, timestamp=stamp)
    assert off.json()["deadline"] is None
    clock.tick(start + 86_400_000)
    assert statuses(exchange, [order]) == [("open", None)]


def test_the_hosts_own_loop_fires_the_switch_without_being_asked(sqlite_exchange: Exchange) -> None:
    clock = Clock(sqlite_exchange)
    order = sqlite_exchange.place(5).json()["hash"]
    arm(sqlite_exchange, 5_000)
    clock.now += 5_000
    arm(sqlite_exchange, 5_000, key_index=6)  # re-arms the host's timer: wallet 5's deadline is now due
    for _ in range(200):  # the timer runs on the host's loop, right away; poll for it, with a bound
        if statuses(sqlite_exchange, [order]) == [("cancelled", "cancel-after")]:
            break
        time.sleep(0.01)
    assert statuses(sqlite_exchange, [order]) == [("cancelled", "cancel-after")]


def test_a_deadline_that_passes_in_a_halted_market_fires_when_the_market_reopens(sqlite_exchange: Exchange) -> None:
    exchange, clock = sqlite_exchange, Clock(sqlite_exchange)
    order = exchange.place(5).json()["hash"]
    arm(exchange, 5_000, market=MARKET)
    set_state(exchange, MarketState.HALTED)
    clock.tick(clock.now + 60_000)
    assert statuses(exchange, [order]) == [("open", None)]  # a halted market refuses every cancel
    set_state(exchange, MarketState.OPEN)  # the sync that reopens it runs the switch before anything can match
    exchange.client.portal.call(host_of(exchange).drain)  # type: ignore[union-attr]
    assert statuses(exchange, [order]) == [("cancelled", "cancel-after")]


def test_a_deadline_survives_a_restart_and_fires_at_start_if_it_passed(sqlite_url: str, tmp_path: Path) -> None:
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        order = exchange.place(5).json()["hash"]
        kept = exchange.place(6).json()["hash"]
        host_of(exchange).clock = lambda: now_ms() - 60_000  # armed "a minute ago": due while the process is down
        arm(exchange, 5_000)
        arm(exchange, 3_600_000, key_index=6)  # far off: still armed after the restart
        assert statuses(exchange, [order]) == [("open", None)]
    for exchange in running(container):
        exchange.client.portal.call(host_of(exchange).drain)  # type: ignore[union-attr]
        assert statuses(exchange, [order, kept]) == [("cancelled", "cancel-after"), ("open", None)]
        host = host_of(exchange)
        armed = host.cancel_after.get(wallet(6), None)
        assert armed is not None and armed.deadline_ms > now_ms()


def test_bad_requests_are_refused_with_typed_errors_and_change_nothing(sqlite_exchange: Exchange) -> None:
    exchange = sqlite_exchange
    exchange.place(5)
    before = exchange.state()
    stamp = now_ms()
    cases: list[tuple[str, str, Callable[[], Any]]] = [
        ("TIMEOUT_OUT_OF_RANGE", "timeoutMs", lambda: arm(exchange, 4_999)),
        ("TIMEOUT_OUT_OF_RANGE", "timeoutMs", lambda: arm(exchange, 86_400_001)),
        ("AMOUNT_OUT_OF_RANGE", "timeoutMs", lambda: arm(exchange, 2**64)),
        ("CANCEL_EXPIRED", "timestamp", lambda: arm(exchange, 5_000, timestamp=stamp - 120_000)),
        ("SIGNER_NOT_MAKER", "signature", lambda: arm(exchange, 5_000, signer_index=6)),
        ("UNKNOWN_MARKET", "market", lambda: arm(exchange, 5_000, market="NOPE-USDC")),
    ]
    for code, field, call in cases:
        error = call().json()["error"]
        assert (error["code"], error["field"]) == (code, field)
    assert exchange.state() == before
    assert host_of(exchange).cancel_after.next_deadline() is None

    assert arm(exchange, 5_000, timestamp=stamp).status_code == 200
    replayed = arm(exchange, 5_000, timestamp=stamp)
    assert replayed.json()["error"]["code"] == "CANCEL_EXPIRED"
