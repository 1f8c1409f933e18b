"""A restart restores open orders, holds and the book, from the journal or, without it, the database;
a clean stop resumes without either fallback, and the book's `seq` never goes back for a client."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from backend.bootstrap import Container
from backend.db.models import Lease
from backend.db.models import Order as OrderRow
from backend.engine import MarketState
from backend.engine.adapters.file_journal import read_snapshot
from backend.trading.hosting.commands import SetPriceSources, SetReferencePrices
from backend.trading.hosting.lease import ENGINE_LEASE
from backend.trading.rules.markets import PriceSource
from backend.trading.store import settlement

from .exchange_fixtures import CHAIN_ID, LOT, MARKET, PRICE, QTY, TICK, USDC, WETH, Exchange, prepare, running
from .test_cancel_after import set_state
from .test_order_lifecycle import BUYER, SELLER, reserved


def book_and_orders(exchange: Exchange) -> dict[str, Any]:
    state = exchange.state()
    return {
        "book": exchange.client.get(f"/v1/markets/{MARKET}/book").json() | {"seq": None},
        "orders": state["orders"],
        "reserved": {key: value for key, value in state["reserved"].items() if value},
        "reservations": state["reservations"],
    }


def book_seq(exchange: Exchange) -> int:
    """The book's `seq` as a client sees it; REST and the WebSocket snapshot must agree on it."""
    exchange.state()  # every accepted change is durable and published
    rest: int = exchange.client.get(f"/v1/markets/{MARKET}/book").json()["seq"]
    with exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
        ws.receive_json()
        snapshot = ws.receive_json()
    assert snapshot["seq"] == rest
    return rest


def trade_a_little(exchange: Exchange) -> None:
    """Resting orders on both sides, a partial fill, a refused order and an idle clock tick."""
    for i in range(3):
        exchange.place(5, limitPrice=PRICE - i * TICK)
        exchange.place(6, side=1, limitPrice=PRICE + (i + 1) * TICK)
    exchange.place(7, side=1, limitPrice=PRICE, baseAmount=10**17)  # partly fills the best bid
    refused = exchange.place(8, limitPrice=PRICE + 10 * TICK, baseAmount=10**17, flags=4)  # post-only, crosses
    assert refused.json()["error"]["code"] == "POST_ONLY_WOULD_CROSS"  # the engine journaled it all the same
    exchange.sync()  # the loop's clock tick: a journaled command that changes nothing


@pytest.mark.parametrize("lose_journal", [False, True], ids=["journal", "database-only"])
def test_a_restart_restores_open_orders_holds_and_the_book(
    database_url: str, tmp_path: Path, lose_journal: bool
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        trade_a_little(exchange)
        before, seq_before = book_and_orders(exchange), book_seq(exchange)
    if lose_journal:
        shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        after = book_and_orders(exchange)
        assert book_seq(exchange) >= seq_before
        assert after["book"] == before["book"]
        assert after["reserved"] == before["reserved"]
        assert after["reservations"] == before["reservations"]
        assert [row[:-1] for row in after["orders"]] == [row[:-1] for row in before["orders"]]  # updated_at aside
        # and it keeps trading where it left off
        response = exchange.place(8, side=1, limitPrice=PRICE, baseAmount=10**17)
        assert response.json()["status"] == "filled"


def test_a_rebuild_from_the_database_keeps_a_part_filled_order_worth_less_than_the_minimum_notional(
    database_url: str, tmp_path: Path
) -> None:
    """Rebuilt, what is left of a part-filled order is placed again: its minimum notional is the whole order's. A
    remainder of 0.001 WETH (3 USDC, the minimum 10) was refused and the order cancelled as not restorable."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        exchange.place(5, limitPrice=PRICE)
        assert exchange.place(6, side=1, limitPrice=PRICE, baseAmount=QTY - LOT).json()["status"] == "filled"
        before = book_and_orders(exchange)
    assert before["book"]["bids"] == [[str(PRICE), str(LOT)]]
    shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        after = book_and_orders(exchange)
        assert (after["book"], after["reserved"]) == (before["book"], before["reserved"])
        assert [row[:-1] for row in after["orders"]] == [row[:-1] for row in before["orders"]]  # updated_at aside


@pytest.mark.parametrize("lose_journal", [False, True], ids=["journal", "database-only"])
def test_a_stop_that_fired_keeps_its_place_behind_the_orders_that_rested_before_it(
    database_url: str, tmp_path: Path, lose_journal: bool
) -> None:
    """A fired stop-limit joins its price level when it fires; rebuilt in acceptance order it went ahead of a bid
    that had rested there first, and took the next seller's fill from it."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        stop = exchange.place(5, flags=2 | 16, triggerPrice=PRICE + TICK, limitPrice=PRICE + TICK).json()
        early = exchange.place(8, limitPrice=PRICE + TICK, baseAmount=QTY // 2).json()  # rests before it fires
        exchange.place(6, side=1, limitPrice=PRICE + TICK, baseAmount=QTY // 10)  # trades at its trigger: it fires
        exchange.drain()
    if lose_journal:
        shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        assert exchange.place(7, side=1, limitPrice=PRICE + TICK, baseAmount=QTY // 10).json()["status"] == "filled"
        exchange.drain()
        filled = [exchange.client.get(f"/v1/orders/{o['hash']}").json()["filled"] for o in (early, stop)]
        assert filled == [str(2 * QTY // 10), "0"]  # price, then time: the earlier bid again
        # and a restart after that still numbers new orders past every number taken
        assert exchange.place(9, limitPrice=PRICE - TICK).status_code == 201


def test_after_a_restart_the_stream_snapshot_and_the_ticker_start_from_the_restored_state(
    sqlite_url: str, tmp_path: Path
) -> None:
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        exchange.place(5, limitPrice=PRICE - TICK)
        exchange.place(6, side=1, limitPrice=PRICE - TICK, baseAmount=10**17)
    for exchange in running(container):
        book = exchange.client.get("/v1/markets/WETH-USDC/book").json()
        with exchange.client.websocket_connect("/v1/ws") as ws:
            ws.send_json({"op": "subscribe", "channel": "book", "market": "WETH-USDC"})
            ws.receive_json()
            snapshot = ws.receive_json()
        assert (snapshot["bids"], snapshot["asks"]) == (book["bids"], book["asks"]) != ([], [])
        ticker = exchange.client.get("/v1/markets/WETH-USDC/ticker").json()
        assert (ticker["last"], ticker["trades"]) == (str(PRICE - TICK), 1)


def restarts_without_a_fallback(
    container: Container, caplog: pytest.LogCaptureFixture, before: dict[str, Any], seq_before: int
) -> None:
    """Start again: no fallback warning, the same book, orders and holds, and a book seq that goes on."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for exchange in running(container):
            after, seq_after = book_and_orders(exchange), book_seq(exchange)
            exchange.place(9, limitPrice=PRICE - 5 * TICK)
            seq_later = book_seq(exchange)
    warnings = [record.getMessage() for record in caplog.records if record.name.startswith("backend.trading")]
    assert [w for w in warnings if w != "price source not read"] == []  # no node to read them from: not a fallback
    assert after == before
    assert seq_before <= seq_after < seq_later


def test_a_clean_stop_and_restart_resume_from_the_snapshot_and_journal_and_the_book_seq_goes_on(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        trade_a_little(exchange)
        before, seq_before = book_and_orders(exchange), book_seq(exchange)
    restarts_without_a_fallback(container, caplog, before, seq_before)


def test_a_crash_after_a_periodic_snapshot_recovers_without_a_fallback_and_the_book_seq_never_goes_back(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = prepare(sqlite_url, tmp_path, engine_snapshot_every=1)  # a snapshot at every idle sync round
    engine_files = tmp_path / "engine" / str(CHAIN_ID)
    for exchange in running(container):
        trade_a_little(exchange)
        book_seq(exchange)  # idle
        exchange.sync()  # snapshot, then a clock tick
        before, seq_before = book_and_orders(exchange), book_seq(exchange)
        snapshot = read_snapshot(engine_files / "snapshot.json")
        assert snapshot is not None and [len(m.bids) for m in snapshot.markets] == [3]  # taken after the trading
        # what a SIGKILL leaves: the engine files as the last batch wrote them, no snapshot at stop
        shutil.copytree(engine_files, tmp_path / "killed")
    shutil.rmtree(engine_files)
    (tmp_path / "killed").rename(engine_files)
    restarts_without_a_fallback(container, caplog, before, seq_before)


@pytest.mark.parametrize("state", [MarketState.CANCEL_ONLY, MarketState.HALTED])
def test_a_rebuild_from_the_database_keeps_the_open_orders_of_a_market_staff_closed(
    sqlite_url: str, tmp_path: Path, state: MarketState
) -> None:
    """A takeover on another machine has no journal: the book is rebuilt from the database. A market staff set
    cancel-only or halted refuses placements, also the re-placing of its own open orders, which were then
    cancelled (not_restorable) without anyone asking."""
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        trade_a_little(exchange)
        set_state(exchange, state)
        before = book_and_orders(exchange)
    shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        after = book_and_orders(exchange)
        assert [row[:-1] for row in after["orders"]] == [row[:-1] for row in before["orders"]]  # still open
        assert after["reserved"] == before["reserved"] and after["book"] == before["book"]
        market = next(m for m in exchange.client.get("/v1/markets").json()["markets"] if m["name"] == MARKET)
        assert market["state"] == state.value  # and the market as staff left it


@pytest.mark.parametrize("on_price_source", [False, True], ids=["operator-triggered", "price-source"])
def test_a_rebuild_from_the_database_keeps_a_triggered_stop_limit_resting_in_the_book(
    sqlite_url: str, tmp_path: Path, on_price_source: bool
) -> None:
    """A stop-limit whose trigger was reached rests as a limit order; rebuilt from its row (signed as a stop) it
    was parked again to wait for a trigger the new engine, with no last price, had not seen: out of the book.
    One fired by the market's price source was refused as a limit order still watching that source."""
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        app: Any = exchange.client.app
        host = app.state.trading.host
        if on_price_source:
            exchange.client.portal.call(host.handle, SetPriceSources({MARKET: PriceSource("0x" + "fe" * 20, 3600)}))
            stop = exchange.place(5, flags=2, triggerPrice=PRICE + TICK, limitPrice=PRICE + TICK).json()
            reference = SetReferencePrices({MARKET: (PRICE + TICK, PRICE + TICK)})
            exchange.client.portal.call(host.handle, reference)  # the stop fires
        else:
            stop = exchange.place(5, flags=2 | 16, triggerPrice=PRICE + TICK, limitPrice=PRICE + TICK).json()
            exchange.place(6, side=1, limitPrice=PRICE + TICK, baseAmount=QTY // 10)
            exchange.place(7, limitPrice=PRICE + TICK, baseAmount=QTY // 10)  # trades at its trigger: it fires
        before = book_and_orders(exchange)
        assert [int(level[0]) for level in before["book"]["bids"]] == [PRICE + TICK]  # it rests
    shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        after = book_and_orders(exchange)
        assert after["book"] == before["book"]
        assert after["reserved"] == before["reserved"]
        taker = exchange.place(8, side=1, limitPrice=PRICE + TICK, baseAmount=QTY).json()  # and it still trades
        assert taker["status"] == "filled"
        assert exchange.client.get(f"/v1/orders/{stop['hash']}").json()["status"] == "filled"


def test_a_restart_in_a_halted_market_does_not_fire_the_stops_its_price_source_reached_meanwhile(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The restore opens every market while it rebuilds the book: the reference price it held must not fire
    stops then (they matched orders the host did not know yet, and the restore failed on every retry)."""
    container = prepare(sqlite_url, tmp_path)
    source = SetPriceSources({MARKET: PriceSource("0x" + "fe" * 20, 3600)})
    for exchange in running(container):
        app: Any = exchange.client.app
        exchange.client.portal.call(app.state.trading.host.handle, source)
        stop = exchange.place(5, flags=2, triggerPrice=PRICE + TICK, limitPrice=PRICE + TICK).json()
        exchange.place(6, side=1, limitPrice=PRICE + TICK, baseAmount=QTY // 10)
        set_state(exchange, MarketState.HALTED)
        reached = SetReferencePrices({MARKET: (PRICE + TICK, PRICE + TICK)})
        exchange.client.portal.call(app.state.trading.host.handle, reached)
        before = book_and_orders(exchange)
    for exchange in running(container):
        assert book_and_orders(exchange) == before
        assert exchange.client.get(f"/v1/orders/{stop['hash']}").json()["status"] == "open"
        app = exchange.client.app
        host = app.state.trading.host
        exchange.client.portal.call(host.handle, source)
        set_state(exchange, MarketState.OPEN)
        exchange.client.portal.call(host.handle, reached)  # open now: the next reading fires it
        exchange.drain()
        assert exchange.client.get(f"/v1/orders/{stop['hash']}").json()["filled"] == str(QTY // 10)


def test_after_a_restart_the_holds_of_wallets_that_did_nothing_since_end_with_their_fills(
    database_url: str, tmp_path: Path
) -> None:
    """The host follows the balances of the wallets it has loaded. A restart adopts open orders and unreleased
    fills of wallets it has not loaded yet: their holds must still end when the fills do, not once the wallet next
    places an order."""
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        exchange.place(SELLER, side=1, baseAmount=2 * QTY)  # rests; half of it trades below
        exchange.place(BUYER, side=0)
        exchange.drain()
    for exchange in running(container):
        assert (reserved(exchange, SELLER, WETH), reserved(exchange, BUYER, USDC)) == (2 * QTY, PRICE)
        with container.uow() as uow:
            (fill,) = (f.id for f in settlement.unsettled(uow.session, limit=10))
            settlement.fail(uow.session, fill, "blocked_by_screening:maker", "not settled")
            uow.commit()
        exchange.sync()
        assert (reserved(exchange, SELLER, WETH), reserved(exchange, BUYER, USDC)) == (QTY, 0)  # the open rest only


def test_an_order_whose_expiry_passed_while_no_engine_ran_ends_expired_in_a_rebuild_from_the_database(
    sqlite_url: str, tmp_path: Path
) -> None:
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        order_hash = exchange.place(BUYER, side=0).json()["hash"]
        exchange.drain()
    past = int(time.time()) - 5  # as if its signed expiry passed while the process was down (the journal lost too)
    with container.uow() as uow:
        uow.session.execute(update(OrderRow).where(OrderRow.hash == order_hash).values(expiry=past, expires_at=past))
        uow.commit()
    shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        exchange.drain()
        order = exchange.client.get(f"/v1/orders/{order_hash}").json()
        assert (order["status"], order["reason"]) == ("expired", "expired")
        assert reserved(exchange, BUYER, USDC) == 0


def test_a_process_deposed_without_noticing_does_not_rotate_the_journal_it_shares_with_the_new_holder(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Paused past its term, a holder's next idle round found its journal long enough to rotate: it wrote its stale
    snapshot over the new holder's (same machine, same data directory) and unlinked the holder's live segment. It
    renews the lease first now, and a lease taken over stops it instead."""
    container = prepare(sqlite_url, tmp_path, engine_snapshot_every=1)  # a snapshot at every idle sync round
    engine_files = tmp_path / "engine" / str(CHAIN_ID)
    for exchange in running(container):
        trade_a_little(exchange)
        book_seq(exchange)  # idle
        files = {path.name: path.read_bytes() for path in engine_files.iterdir()}
        with container.uow() as uow:  # another process took the lease over while this one was paused
            uow.session.execute(update(Lease).where(Lease.name == ENGINE_LEASE).values(owner="elsewhere"))
            uow.commit()
        exchange.sync()
        assert {path.name: path.read_bytes() for path in engine_files.iterdir()} == files  # nothing rotated
        refused = exchange.place(SELLER, side=1, limitPrice=PRICE + 50 * TICK)
        assert refused.status_code == 503, refused.text  # and order entry stopped here
