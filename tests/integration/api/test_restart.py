"""A restart restores open orders, holds and the book, from the journal or, without it, the database."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .exchange_fixtures import PRICE, TICK, Exchange, prepare, running


def book_and_orders(exchange: Exchange) -> dict[str, Any]:
    state = exchange.state()
    return {
        "book": exchange.client.get("/v1/markets/WETH-USDC/book").json() | {"seq": None},
        "orders": state["orders"],
        "reserved": {key: value for key, value in state["reserved"].items() if value},
        "reservations": state["reservations"],
    }


@pytest.mark.parametrize("lose_journal", [False, True], ids=["journal", "database-only"])
def test_a_restart_restores_open_orders_holds_and_the_book(
    database_url: str, tmp_path: Path, lose_journal: bool
) -> None:
    container = prepare(database_url, tmp_path)
    for exchange in running(container):
        for i in range(3):
            exchange.place(5, limitPrice=PRICE - i * TICK)
            exchange.place(6, side=1, limitPrice=PRICE + (i + 1) * TICK)
        exchange.place(7, side=1, limitPrice=PRICE, baseAmount=10**17)  # partly fills the best bid
        before = book_and_orders(exchange)
    if lose_journal:
        shutil.rmtree(tmp_path / "engine")
    for exchange in running(container):
        after = book_and_orders(exchange)
        assert after["book"] == before["book"]
        assert after["reserved"] == before["reserved"]
        assert after["reservations"] == before["reservations"]
        assert [row[:-1] for row in after["orders"]] == [row[:-1] for row in before["orders"]]  # updated_at aside
        # and it keeps trading where it left off
        response = exchange.place(8, side=1, limitPrice=PRICE, baseAmount=10**17)
        assert response.json()["status"] == "filled"


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
