"""One engine host per database (the engine lease): a second engine process over the same database stands by,
refuses order entry and writes nothing, and takes over the book as soon as the first stops; a host whose lease
another process took over commits nothing more (no order, no withdrawal) and stops order entry; a host stopped
by a storage fault gives the lease up, so that a standing-by process takes over; a process whose host stopped
stands by itself, and runs the book again from the database once the lease is free (alone, at once)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from starlette.websockets import WebSocketDisconnect

from backend.bootstrap import Container, bootstrap
from backend.db.lease_mark import mark_path
from backend.db.models import Lease
from backend.db.session import make_engine
from backend.trading.hosting import service
from backend.trading.hosting.lease import ENGINE_LEASE, LOST_MESSAGE, EngineLease, LeaseLost
from tests.processes import lease_holder

from .exchange_fixtures import MARKET, PRICE, Exchange, prepare, running
from .signed_requests import cancel_after_body
from .test_withdrawal_requests import body, requests, withdrawal

LEASE_S = 2.0  # the shortest allowed: a takeover after a clean stop comes within a third of it
# A term the host's own heartbeat (a third of it) never reaches within a test: the write under test meets the
# takeover first.
LONG_LEASE_S = 3600.0
# Two live processes, one holding the lease, one trying to take it every round: the holder keeps it only if it
# renews within each term, so a term this short would let one stall of a loaded CI machine hand the book over
# mid-test. Three times the shortest: takeovers come within 2 s, and a stall must last a whole 6 s to depose.
CONTESTED_LEASE_S = 6.0


@contextmanager
def first_of_two(database_url: str, tmp_path: Path) -> Iterator[tuple[Exchange, Container, Callable[[], None]]]:
    """Two engine processes on one prepared database, each with its own data directory (journal), on
    `CONTESTED_LEASE_S`: the first running (it holds the lease), the second's container, and the first's clean
    stop (stopped at the end too)."""
    first = prepare(database_url, tmp_path / "first", engine_lease_s=CONTESTED_LEASE_S)
    (tmp_path / "second").mkdir()
    second = bootstrap(first.settings.model_copy(update={"data_dir": tmp_path / "second"}))
    first_run = running(first)
    try:
        yield next(first_run), second, first_run.close
    finally:
        first_run.close()


@contextmanager
def serving(container: Container) -> Iterator[Exchange]:
    exchanges = running(container)
    try:
        yield next(exchanges)
    finally:
        exchanges.close()


def eventually(condition: Callable[[], Any], what: str, timeout_s: float = 30) -> None:
    """Wait until `condition()` holds; fail naming `what` if it does not within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_s} s: {what}"
        time.sleep(0.02)


def wait_until_running(exchange: Exchange) -> None:
    """Until the standing-by process runs its engine host (its lease loop takes the lease a third of the term after
    the first released it)."""
    app: Any = exchange.client.app
    eventually(lambda: app.state.trading.host is not None, "the standing-by process taking the lease over")


def wait_until_standing_by(exchange: Exchange) -> None:
    """Until the process whose host stopped (a storage fault, the lease lost) has let it go and stands by."""
    app: Any = exchange.client.app
    eventually(lambda: app.state.trading.standing_by, "the stopped host let go")


def sample(exchange: Exchange, name: str) -> float:
    """One sample of the process's /metrics (0 before it is first counted)."""
    for line in exchange.client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def take_over_the_lease(container: Container) -> None:
    """What another process does once this one's lease ran out unrenewed (a paused VM, a long stall)."""
    with container.uow() as uow:
        uow.session.merge(Lease(name=ENGINE_LEASE, owner="elsewhere:1:ab", expires_at_ms=2**62))
        uow.commit()


def test_a_second_engine_process_stands_by_and_takes_over_the_book_when_the_first_stops(
    database_url: str, tmp_path: Path
) -> None:
    with first_of_two(database_url, tmp_path) as (first, second_container, stop_first):
        resting = first.place(5)
        assert resting.status_code == 201, resting.text
        with serving(second_container) as second:
            refused = second.place(6, side=1)
            book = second.client.get(f"/v1/markets/{MARKET}/book")
            health = second.client.get("/health").json()
            assert first.client.get("/health").json()["engine"] == "running"
            assert first.place(7, limitPrice=PRICE - 10**6).status_code == 201  # the first goes on meanwhile
            assert len(first.state()["orders"]) == 2  # the refused order left nothing
            stop_first()  # a clean stop: the lease is released at once
            wait_until_running(second)

            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "UNAVAILABLE"
            assert "stands by" in refused.json()["error"]["message"]
            assert refused.headers["Retry-After"] == str(round(CONTESTED_LEASE_S))
            assert book.status_code == 503
            assert (health["engine"], health["status"]) == ("standby", "degraded")
            # The book it took over holds both orders the first accepted, and trades against them.
            taker = second.place(6, side=1)
            assert taker.status_code == 201, taker.text
            assert (taker.json()["status"], taker.json()["filled"]) == ("filled", str(10**18))
            assert second.client.get(f"/v1/orders/{resting.json()['hash']}").json()["status"] == "filled"
            assert second.client.get("/health").json()["engine"] == "running"
            assert len(second.state()["orders"]) == 3


def book_snapshot(exchange: Exchange) -> dict[str, Any]:
    """A new stream client's first book of MARKET."""
    with exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
        assert ws.receive_json()["op"] == "subscribed"
        snapshot: dict[str, Any] = ws.receive_json()
        return snapshot


def test_a_process_taking_the_book_over_takes_orders_and_stream_clients_only_once_its_market_data_is_seeded(
    database_url: str, tmp_path: Path
) -> None:
    """Taken before, an order would publish onto views not seeded yet, and a client subscribing then would get a
    book of only the levels touched since, kept up to date by deltas that never tell it what it misses."""
    with first_of_two(database_url, tmp_path) as (first, second_container, stop_first):
        assert first.place(5).status_code == 201
        with serving(second_container) as second:
            trading: Any = second.client.app.state.trading  # type: ignore[attr-defined]
            seed, seeding, seeded = trading._on_started, threading.Event(), threading.Event()

            async def held_seed(host: Any) -> None:  # the seed of the takeover, held until the test has looked
                seeding.set()
                while not seeded.is_set():
                    await asyncio.sleep(0.01)
                await seed(host)

            trading._on_started = held_seed
            stop_first()
            eventually(seeding.is_set, "the second process taking the lease and seeding")
            during = second.place(7, limitPrice=PRICE - 10**6)
            book_during = second.client.get(f"/v1/markets/{MARKET}/book")
            with pytest.raises(WebSocketDisconnect) as closed, second.client.websocket_connect("/v1/ws") as ws:
                ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
                ws.receive_json()
            seeded.set()
            wait_until_running(second)
            after = book_snapshot(second)

    assert (during.status_code, book_during.status_code) == (503, 503), during.text
    assert closed.value.code == 1013
    assert after["bids"] == [[str(PRICE), str(10**18)]]  # the book the first left, nothing placed meanwhile


def test_a_takeover_whose_seed_fails_gives_the_lease_back_and_takes_the_book_over_at_a_later_round(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with first_of_two(database_url, tmp_path) as (first, second_container, stop_first):
        assert first.place(5).status_code == 201
        with serving(second_container) as second:
            trading: Any = second.client.app.state.trading  # type: ignore[attr-defined]
            seed, failed = trading._on_started, threading.Event()

            async def failing_once(host: Any) -> None:
                if not failed.is_set():
                    failed.set()
                    raise OperationalError("SELECT candles", None, Exception("the database went away"))
                await seed(host)

            stop_host, stood_by_while_stopping = trading._stop_host, []

            async def watched_stop(host: Any, writer: Any) -> None:  # the failed host ending: still not the process's
                stood_by_while_stopping.append(trading.standing_by)
                await stop_host(host, writer)

            trading._on_started, trading._stop_host = failing_once, watched_stop
            with caplog.at_level(logging.ERROR, logger=service.__name__):
                stop_first()
                eventually(failed.is_set, "the second process taking the lease and seeding")
                eventually(lambda: trading.lease.holder() == "nobody", "the lease given back")
                refused = second.place(7, limitPrice=PRICE - 10**6)
                wait_until_running(second)  # a whole term later

            assert refused.status_code == 503, refused.text
            assert any("did not start" in record.getMessage() for record in caplog.records)
            assert stood_by_while_stopping[0] is True
            assert book_snapshot(second)["bids"] == [[str(PRICE), str(10**18)]]
            assert second.place(6, side=1).json()["status"] == "filled"


def test_a_process_whose_host_was_deposed_tells_its_stream_clients_to_reconnect(
    database_url: str, tmp_path: Path
) -> None:
    """Its views would stand still: the new holder publishes to its own hub."""
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    with serving(container) as exchange, exchange.client.websocket_connect("/v1/ws") as ws:
        assert exchange.place(5).status_code == 201
        ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
        assert ws.receive_json()["op"] == "subscribed"
        assert ws.receive_json()["bids"] == [[str(PRICE), str(10**18)]]
        take_over_the_lease(container)
        wait_until_standing_by(exchange)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as refused, exchange.client.websocket_connect("/v1/ws") as again:
            again.receive_json()
        hub: Any = exchange.client.app.state.hub  # type: ignore[attr-defined]

        assert (closed.value.code, closed.value.reason) == (1012, "the engine moved: reconnect")
        assert refused.value.code == 1013  # standing by, it serves no stream
        assert hub.books == {}


def test_a_host_whose_lease_was_taken_over_stores_no_order_and_stops_order_entry(
    database_url: str, tmp_path: Path
) -> None:
    with serving(prepare(database_url, tmp_path, engine_lease_s=LONG_LEASE_S)) as exchange:
        assert exchange.place(5).status_code == 201
        stored = exchange.state()
        take_over_the_lease(exchange.container)

        lost = exchange.place(6)  # accepted by the stale book, refused by the fence of its batch: never stored
        after = exchange.place(6)
        health = exchange.client.get("/health").json()

        assert (lost.status_code, lost.json()["error"]["code"]) == (503, "UNAVAILABLE"), lost.text
        assert (after.status_code, after.json()["error"]["message"]) == (503, LOST_MESSAGE)
        assert (health["engine"], health["status"]) == ("stopped", "degraded")
        app: Any = exchange.client.app
        assert app.state.trading.host.broken is not None
        assert app.state.trading.lease.time_left() == 0  # its command stream, if any, reads nothing more
        assert exchange.state()["orders"] == stored["orders"]


def test_a_stale_host_stores_no_withdrawal(database_url: str, tmp_path: Path) -> None:
    with serving(prepare(database_url, tmp_path, engine_lease_s=LONG_LEASE_S)) as exchange:
        take_over_the_lease(exchange.container)

        refused = exchange.client.post("/v1/withdrawals", json=body(withdrawal()))

        assert (refused.status_code, refused.json()["error"]["message"]) == (503, LOST_MESSAGE), refused.text
        assert requests(exchange) == []
        assert exchange.client.get("/health").json()["engine"] == "stopped"  # the book is another's: no order
        assert exchange.place(5).json()["error"]["message"] == LOST_MESSAGE


def test_a_stale_host_stops_order_entry_at_its_next_database_round_even_when_idle(
    database_url: str, tmp_path: Path
) -> None:
    with serving(prepare(database_url, tmp_path, engine_lease_s=LONG_LEASE_S)) as exchange:
        app: Any = exchange.client.app
        take_over_the_lease(exchange.container)
        assert app.state.trading.host.broken is None  # nothing written since: it has not noticed yet

        exchange.sync()  # the chain sync's transaction (it claims settled fills) starts with the fence

        assert app.state.trading.host.broken is not None
        assert exchange.client.get("/health").json()["engine"] == "stopped"
        assert exchange.place(5).json()["error"]["message"] == LOST_MESSAGE


def fail_inserts(container: Container, table: str, on: bool) -> None:
    """A storage fault of the database itself: every new row of `table` refused (on), or stored again (off)."""
    postgres = container.db_engine.dialect.name == "postgresql"
    trigger = f"storage_fault_{table}"
    with container.uow() as uow:
        if on and postgres:
            uow.session.execute(text(
                "CREATE OR REPLACE FUNCTION storage_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full';"
                " END $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            uow.session.execute(text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION storage_fault()"
            ))  # fmt: skip
        elif on:  # an upsert's insert is refused too, as on PostgreSQL
            uow.session.execute(text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            ))  # fmt: skip
        else:
            uow.session.execute(text(f"DROP TRIGGER {trigger}" + (f" ON {table}" if postgres else "")))
        uow.commit()


def test_a_host_stopped_by_a_storage_fault_gives_the_lease_to_a_standing_by_process_and_stands_by_itself(
    database_url: str, tmp_path: Path
) -> None:
    with first_of_two(database_url, tmp_path) as (first, second_container, _stop_first):
        resting = first.place(5)
        assert resting.status_code == 201, resting.text
        with serving(second_container) as second:
            fail_inserts(first.container, "orders", on=True)
            failed = first.place(6)
            fail_inserts(first.container, "orders", on=False)  # the fault is over; the first host stays stopped

            wait_until_running(second)  # else the first renews a lease it can no longer use, and no one trades
            wait_until_standing_by(first)  # the stopped host is let go: the first is the second's standby now

            assert (failed.status_code, failed.json()["error"]["code"]) == (503, "UNAVAILABLE"), failed.text
            assert first.client.get("/health").json()["engine"] == "standby"
            assert first.place(7).json()["error"]["code"] == "UNAVAILABLE"
            taker = second.place(6, side=1)
            assert (taker.status_code, taker.json()["status"]) == (201, "filled"), taker.text
            assert second.place(7).status_code == 201
        wait_until_running(first)  # the second stopped: the first takes the book back from the database

        assert first.client.get(f"/v1/orders/{resting.json()['hash']}").json()["status"] == "filled"
        taker = first.place(8, side=1)
        assert (taker.status_code, taker.json()["status"]) == (201, "filled"), taker.text  # against the second's 7


def test_a_lone_process_stopped_by_a_storage_fault_takes_orders_again_once_the_fault_is_over(
    database_url: str, tmp_path: Path
) -> None:
    """`hdex up` alone: a batch that could not be stored stops its host; it starts a new one from the database and
    its journal, as a restarted process would, instead of refusing orders until someone restarts it."""
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    with serving(container) as exchange:
        app: Any = exchange.client.app
        resting = exchange.place(5)
        assert resting.status_code == 201, resting.text
        stops = sample(exchange, 'hdex_engine_host_stops_total{reason="storage"}')
        fail_inserts(container, "orders", on=True)
        failed = exchange.place(6, side=1)  # would have traded with the resting order
        stopped = app.state.trading.host
        fail_inserts(container, "orders", on=False)

        eventually(lambda: app.state.trading.host not in (None, stopped), "the stopped host replaced")

        assert (failed.status_code, failed.json()["error"]["code"]) == (503, "UNAVAILABLE"), failed.text
        assert exchange.client.get("/health").json()["engine"] == "running"
        assert sample(exchange, 'hdex_engine_host_stops_total{reason="storage"}') == stops + 1  # for the alert
        assert sample(exchange, 'hdex_engine_host{state="running"}') == 1
        assert sample(exchange, 'hdex_engine_host{state="stopped"}') == 0
        assert exchange.client.get(f"/v1/orders/{resting.json()['hash']}").json()["status"] == "open"
        taker = exchange.place(6, side=1)
        assert (taker.status_code, taker.json()["status"]) == (201, "filled"), taker.text
        assert len(exchange.state()["orders"]) == 2  # the refused order left nothing


# The schedule of waits is the process's own, whatever refused the write (both databases' faults: the tests above);
# it takes ten seconds of lease terms to show, so on SQLite only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_process_whose_hosts_keep_meeting_a_storage_fault_waits_twice_as_long_before_each_next_host(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A database that keeps refusing (every write of the engine's cursors: even a new host's first batch) is not
    made to rebuild the book every term: the process waits a term, then two, until a host runs; one that ran a
    whole term ends the row, and the next fault waits a term again."""
    caplog.set_level(logging.INFO, logger=service.__name__)
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)

    def waits() -> list[float]:
        return [record.retry_in_s for record in caplog.records if hasattr(record, "retry_in_s")]

    with serving(container) as exchange:
        fail_inserts(container, "trading_cursors", on=True)
        failed = exchange.place(5)
        eventually(lambda: len(waits()) == 2, "the second host did not meet the fault")
        fail_inserts(container, "trading_cursors", on=False)
        eventually(lambda: exchange.client.get("/health").json()["engine"] == "running", "no host ran again")
        placed = exchange.place(5)
        eventually(lambda: "the next fault waits a term again" in caplog.text, "the row never ended")
        fail_inserts(container, "trading_cursors", on=True)
        again = exchange.place(6, side=1)
        eventually(lambda: len(waits()) == 3, "the fault after the row was not met")
        fail_inserts(container, "trading_cursors", on=False)

    assert (failed.status_code, again.status_code) == (503, 503), (failed.text, again.text)
    assert placed.status_code == 201, placed.text
    assert waits() == [LEASE_S, 2 * LEASE_S, LEASE_S]


def test_a_host_whose_lease_was_taken_over_stands_by_and_takes_the_book_back_when_the_lease_runs_out(
    database_url: str, tmp_path: Path
) -> None:
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    with serving(container) as exchange:
        resting = exchange.place(5)
        assert resting.status_code == 201, resting.text
        stops = sample(exchange, 'hdex_engine_host_stops_total{reason="lease_lost"}')
        take_over_the_lease(container)
        wait_until_standing_by(exchange)  # its heartbeat found the lease another's
        assert exchange.client.get("/health").json()["engine"] == "standby"
        assert sample(exchange, 'hdex_engine_host{state="standby"}') == 1
        assert sample(exchange, 'hdex_engine_host{state="running"}') == 0
        assert sample(exchange, 'hdex_engine_host_stops_total{reason="lease_lost"}') == stops + 1

        let_the_lease_run_out(container)  # the other process ended without a clean stop
        wait_until_running(exchange)

        assert exchange.client.get(f"/v1/orders/{resting.json()['hash']}").json()["status"] == "open"
        assert exchange.place(6, side=1).json()["status"] == "filled"


def test_a_write_begun_in_a_term_that_ended_cannot_commit_once_the_process_holds_the_lease_again(
    database_url: str, tmp_path: Path
) -> None:
    """A withdrawal request or a batch begun before the host stopped may reach its fence late (waiting for a
    connection): by then this process may hold the lease again under a new host, which restored the book without
    that write. The write's fence is its own term's, and refuses."""
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    with serving(container) as exchange:
        trading: Any = exchange.client.app.state.trading  # type: ignore[attr-defined]
        late = trading.fence  # what a write begun now holds
        take_over_the_lease(container)
        wait_until_standing_by(exchange)
        let_the_lease_run_out(container)
        wait_until_running(exchange)  # the same process runs the book again

        # Counted from now, not from the last heartbeat: a loaded machine may not have run one within the term.
        trading.lease.renew()
        with container.session_factory() as session, pytest.raises(LeaseLost):
            late(session)
        assert trading.lease.time_left() > 0  # the refused straggler left the running term's lease be
        with container.session_factory() as session:
            trading.fence(session)  # the new term's passes
        assert exchange.place(5).status_code == 201


def test_a_released_lease_is_not_renewed_by_its_last_holder(database_url: str, tmp_path: Path) -> None:
    """A host that gave the lease up (stopped by a fault) may still have a write on its way: its fence must fail."""
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    lease = EngineLease(container.session_factory, LEASE_S)
    assert lease.take()
    assert 0 < lease.time_left() <= LEASE_S
    lease.release()
    assert lease.time_left() == 0  # its command stream reads nothing more

    with pytest.raises(LeaseLost):
        lease.renew()
    assert lease.holder() == "nobody"
    assert EngineLease(container.session_factory, LEASE_S).take()  # free for the next process at once


def let_the_lease_run_out(container: Container) -> None:
    """The holder elsewhere stopped renewing: its lease is over (its owner still on the row)."""
    with container.uow() as uow:
        uow.session.execute(update(Lease).where(Lease.name == ENGINE_LEASE).values(expires_at_ms=0))
        uow.commit()


def test_a_standing_by_process_whose_restore_lost_the_lease_stands_by_on_and_takes_over_later(
    database_url: str, tmp_path: Path
) -> None:
    container = prepare(database_url, tmp_path, engine_lease_s=LEASE_S)
    take_over_the_lease(container)  # another process runs the book: this one starts standing by
    taken, taken_back = [], threading.Event()

    def take_it_back_mid_restore(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "FROM cancel_after" in statement and not taken:  # the restore's reads, before its fence
            taken.append(True)
            take_over_the_lease(container)  # a slow restore: the other process took the lease back meanwhile
            taken_back.set()  # only now: the test lets this lease run out next, which must come after it

    event.listen(container.db_engine, "before_cursor_execute", take_it_back_mid_restore)
    with serving(container) as exchange:
        app: Any = exchange.client.app
        assert exchange.client.get("/health").json()["engine"] == "standby"
        let_the_lease_run_out(container)
        assert taken_back.wait(30), "this process never took the lease"
        assert app.state.trading.host is None and app.state.trading.standing_by  # its restore refused by the fence
        let_the_lease_run_out(container)

        wait_until_running(exchange)  # else its lease loop had ended with the failed start: standing by for good

        assert exchange.place(5).status_code == 201
    event.remove(container.db_engine, "before_cursor_execute", take_it_back_mid_restore)


def test_a_restore_longer_than_a_term_keeps_the_lease_from_a_process_trying_to_take_it(
    database_url: str, tmp_path: Path
) -> None:
    """The restore of a large book holds the event loop, and with it the lease's heartbeat, for longer than a term:
    the lease is renewed meanwhile, so a standing-by process trying all along takes nothing, and the host starts.
    Contested all along: on `CONTESTED_LEASE_S`."""
    container = prepare(database_url, tmp_path, engine_lease_s=CONTESTED_LEASE_S)
    standby = EngineLease(container.session_factory, CONTESTED_LEASE_S, owner="standby:1:ab")
    tries: list[bool] = []

    def slow_restore(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "FROM cancel_after" in statement and not tries:  # the restore's reads, before its fence
            deadline = time.monotonic() + 1.5 * CONTESTED_LEASE_S  # the lease taken at the start ran out
            while time.monotonic() < deadline:
                tries.append(standby.take())
                time.sleep(0.1)

    event.listen(container.db_engine, "before_cursor_execute", slow_restore)
    try:
        with serving(container) as exchange:
            engine = exchange.client.get("/health").json()["engine"]
            placed = exchange.place(5)
    finally:
        event.remove(container.db_engine, "before_cursor_execute", slow_restore)

    assert len(tries) > 10 and not any(tries)
    assert engine == "running"
    assert placed.status_code == 201, placed.text


def test_an_order_waiting_behind_a_batch_the_fence_refuses_is_answered_at_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """The second order joins the next batch while the first is held at its fence; the takeover then refuses
    the first. The second is answered then too, not whenever something next writes (a sync, a minute here)."""
    with serving(prepare(postgres_url, tmp_path, engine_lease_s=LONG_LEASE_S)) as exchange:
        app: Any = exchange.client.app
        host = app.state.trading.host
        answers: dict[int, Any] = {}
        blocker = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
        try:  # another process taking the lease over, its transaction not committed yet: the row is locked
            blocker.execute("UPDATE leases SET owner = 'elsewhere:1:ab', expires_at_ms = %s WHERE name = %s",
                            (2**62, ENGINE_LEASE))  # fmt: skip
            placing = [threading.Thread(target=lambda k=k: answers.update({k: exchange.place(k)})) for k in (5, 6)]
            for count, thread in enumerate(placing, start=1):
                thread.start()
                # in the book: the first in the batch at the fence, then the next
                eventually(lambda count=count: len(host.orders) >= count, "the order placed")
            blocker.commit()
        finally:
            blocker.close()
        for thread in placing:
            thread.join(30)
        stranded = any(thread.is_alive() for thread in placing)
        if stranded:
            exchange.drain()  # a write answers it: the test fails here instead of hanging at the server's stop

        assert not stranded, "an order was left waiting for its answer"
        assert [answers[k].status_code for k in (5, 6)] == [503, 503]
        assert exchange.state()["orders"] == []


def test_an_order_is_answered_as_placing_left_it_not_with_a_fill_of_a_later_batch_that_failed(
    postgres_url: str, tmp_path: Path
) -> None:
    """A taker fills the order in the next batch while the order's own is being stored, and that next batch then
    fails: the order's answer, sent once its own batch is durable, must not report the fill that never was."""
    with serving(prepare(postgres_url, tmp_path, engine_lease_s=LONG_LEASE_S)) as exchange:
        app: Any = exchange.client.app
        host = app.state.trading.host
        answers: dict[str, Any] = {}
        blocker = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
        try:  # the lease's row locked: the order's batch waits at its fence
            blocker.execute("UPDATE leases SET expires_at_ms = expires_at_ms WHERE name = %s", (ENGINE_LEASE,))
            maker = threading.Thread(target=lambda: answers.update(maker=exchange.place(5)))
            maker.start()
            eventually(lambda: len(host.orders) == 1, "the order in the book, its batch held at the fence")
            fail_inserts(exchange.container, "fills", on=True)
            taker = threading.Thread(target=lambda: answers.update(taker=exchange.place(6, side=1)))
            taker.start()
            eventually(lambda: not host.orders, "the taker filling it, in the next batch")
        finally:
            blocker.rollback()
            blocker.close()
        maker.join(30)
        taker.join(30)
        fail_inserts(exchange.container, "fills", on=False)

        assert answers["maker"].status_code == 201, answers["maker"].text
        assert (answers["maker"].json()["status"], answers["maker"].json()["filled"]) == ("open", "0")
        assert answers["taker"].status_code == 503, answers["taker"].text
        assert exchange.state()["fills"] == []


def test_a_process_on_the_same_machine_takes_the_lease_at_once_from_a_holder_that_ended(
    database_url: str, tmp_path: Path
) -> None:
    """A supervisor restarting a crashed engine process: the new one runs the book without waiting the term out, on
    the evidence of the dead holder's mark; a live holder's mark, or a mark in another data directory, is none."""
    factory = sessionmaker(make_engine(database_url))
    mark = mark_path(tmp_path, ENGINE_LEASE)
    with lease_holder(database_url, ENGINE_LEASE, tmp_path) as (holder, owner):
        restarted = EngineLease(factory, LONG_LEASE_S, mark=mark)
        assert not restarted.take()  # the holder lives: its mark is locked
        assert mark.read_text() == owner
        holder.kill()
        holder.wait()

        elsewhere = EngineLease(factory, LONG_LEASE_S, mark=mark_path(tmp_path / "elsewhere", ENGINE_LEASE))
        assert not elsewhere.take()  # another directory (another machine) knows nothing of it: it waits the term out
        assert LONG_LEASE_S - 60 < elsewhere.free_in <= LONG_LEASE_S  # and knows when to try again
        assert restarted.take()
    assert restarted.holder().startswith(f"{restarted.owner} for ")
    assert mark.read_text() == restarted.owner  # the next restart takes it from this one the same way
    assert not elsewhere.take()


def test_a_mark_naming_an_earlier_holder_proves_nothing_about_the_current_one(
    database_url: str, tmp_path: Path
) -> None:
    """The mark's holder ended on this machine, but the lease has moved on to a process elsewhere since: no
    takeover from that one, which may well be running."""
    factory = sessionmaker(make_engine(database_url))
    mark = mark_path(tmp_path, ENGINE_LEASE)
    with lease_holder(database_url, ENGINE_LEASE, tmp_path) as (holder, _owner):
        holder.kill()
        holder.wait()
    with factory() as session:
        session.execute(
            update(Lease).where(Lease.name == ENGINE_LEASE).values(owner="elsewhere:1:ab", expires_at_ms=2**62)
        )
        session.commit()

    assert not EngineLease(factory, LONG_LEASE_S, mark=mark).take()
    assert EngineLease(factory, LONG_LEASE_S).holder().startswith("elsewhere:1:ab for ")


def test_a_stopped_host_refuses_a_cancel_after_without_spending_its_timestamp(
    database_url: str, tmp_path: Path
) -> None:
    """Order entry stopped by a storage fault: a cancel-after is refused UNAVAILABLE and changes nothing, so the same
    signed request sent again is refused the same way, not CANCEL_EXPIRED (its timestamp was not spent)."""
    container = prepare(database_url, tmp_path, engine_lease_s=LONG_LEASE_S)  # the stopped host is not let go
    with serving(container) as exchange:
        fail_inserts(container, "orders", on=True)
        assert exchange.place(5).status_code == 503  # the host stops order entry
        fail_inserts(container, "orders", on=False)
        heartbeat = cancel_after_body(exchange.domain, 5, 60_000)
        answers = [exchange.client.post("/v1/orders/cancel-after", json=heartbeat) for _ in range(2)]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [(503, "UNAVAILABLE")] * 2
