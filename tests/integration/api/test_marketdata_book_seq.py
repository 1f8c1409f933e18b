"""`GET /v1/markets/{market}/book` and the book channel agree: the REST levels are the book as of the `seq` it
carries, so a client that rebuilds the book from a snapshot and deltas sees the same levels at that seq."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from .exchange_fixtures import MARKET, PRICE, QTY, TICK, Exchange, prepare, running


@pytest.fixture
def exchange_on_file(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Exchange, Path]]:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    for exchange in running(prepare(sqlite_url, tmp_path)):
        yield exchange, database


@contextmanager
def writes_held(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock: the engine host's next batch waits to be stored (its busy timeout is 30 s)."""
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")


def engine_bids(exchange: Exchange) -> list[tuple[int, int]]:
    app: Any = exchange.client.app
    return list(app.state.trading.host.engine.depth(MARKET, 10).bids)


def book_of(message: dict[str, Any]) -> tuple[int, list[list[str]], list[list[str]]]:
    return message["seq"], message["bids"], message["asks"]


def test_the_rest_book_and_ticker_are_the_book_at_its_seq_while_a_batch_is_still_being_stored(
    exchange_on_file: tuple[Exchange, Path],
) -> None:
    exchange, database = exchange_on_file
    exchange.place(5, limitPrice=PRICE - TICK)
    with exchange.client.websocket_connect("/v1/ws") as ws:
        ws.send_json({"op": "subscribe", "channel": "book", "market": MARKET})
        assert ws.receive_json()["op"] == "subscribed"
        snapshot = ws.receive_json()
        assert snapshot["bids"] == [[str(PRICE - TICK), str(QTY)]]
        with writes_held(database):
            placing = threading.Thread(target=exchange.place, args=(6,), kwargs={"limitPrice": PRICE})
            placing.start()
            deadline = time.monotonic() + 10
            while len(engine_bids(exchange)) < 2:  # matched, not yet stored nor published
                assert time.monotonic() < deadline, "the order never reached the engine"
                time.sleep(0.01)
            during = exchange.client.get(f"/v1/markets/{MARKET}/book").json()
            assert book_of(during) == book_of(snapshot)  # not the unpublished level under the old seq
            ticker = exchange.client.get(f"/v1/markets/{MARKET}/ticker").json()
            assert ticker["bestBid"] == str(PRICE - TICK)  # the best bid of that same book
        placing.join(10)
        delta = ws.receive_json()
        assert (delta["seq"], delta["price"], delta["qty"]) == (snapshot["seq"] + 1, str(PRICE), str(QTY))
    after = exchange.client.get(f"/v1/markets/{MARKET}/book").json()
    assert after["seq"] == delta["seq"]
    assert after["bids"] == [[str(PRICE), str(QTY)], [str(PRICE - TICK), str(QTY)]]
    assert exchange.client.get(f"/v1/markets/{MARKET}/ticker").json()["bestBid"] == str(PRICE)
