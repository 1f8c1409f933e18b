"""The engine host's sync with the database survives its faults: a round that raises a bug does not end the loop
(before, the host went stale without a word: deposits never credited, holds never given back, frozen wallets
trading on, while /health said all was well), and a claim whose commit failed yet landed is settled by the next."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from backend.db.models import Fill
from backend.metrics import ENGINE_SYNC_FAILURES, ENGINE_SYNC_LAST_SUCCESS
from backend.statuses import FillStatus
from backend.trading.hosting import service as service_module
from backend.trading.hosting.service import TradingService
from backend.trading.rules.accounts import checksum

from .exchange_fixtures import PRICE, QTY, USDC, Exchange, prepare, running, wallet


def test_a_sync_round_that_raises_a_bug_is_logged_counted_and_the_next_round_syncs(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    container = prepare(sqlite_url, tmp_path, trading_sync_interval=0.05)
    read = TradingService._read
    calls = {"n": 0}

    def first_round_breaks(self: TradingService, *args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("a market the read did not expect")
        return read(self, *args)

    monkeypatch.setattr(TradingService, "_read", first_round_breaks)
    unexpected = ENGINE_SYNC_FAILURES.labels("unexpected")
    failures_before = unexpected._value.get()
    started = time.time()
    for _exchange in running(container):
        deadline = time.monotonic() + 30
        while ENGINE_SYNC_LAST_SUCCESS._value.get() < started or calls["n"] < 3:
            assert time.monotonic() < deadline, "the sync loop stopped after the failed round"
            time.sleep(0.05)
    assert unexpected._value.get() == failures_before + 1
    assert any(r.levelno == logging.ERROR and "trading sync failed unexpectedly" in r.message and r.exc_info
               for r in caplog.records)  # fmt: skip


def test_fills_a_sync_claimed_in_a_commit_that_failed_yet_landed_give_their_holds_back_at_the_next_sync(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection lost during COMMIT raises whether or not it landed. A read's claim of resolved fills marks them
    released; when that commit landed but raised, the host never heard of the claim, and no later claim takes
    released fills: their holds stayed for good (until a restart)."""
    container = prepare(sqlite_url, tmp_path)
    for exchange in running(container):
        _claim_lands_but_its_commit_raises(exchange, monkeypatch)


def _claim_lands_but_its_commit_raises(exchange: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    app: Any = exchange.client.app
    host, container = app.state.trading.host, exchange.container
    buyer, usdc = wallet(6), checksum(USDC)
    assert exchange.place(5, side=1, baseAmount=QTY, limitPrice=PRICE).status_code == 201
    assert exchange.place(6, side=0, baseAmount=QTY, limitPrice=PRICE).status_code == 201
    exchange.drain()
    with container.uow() as uow:
        [fill] = uow.session.scalars(select(Fill)).all()
        fill.status, fill.failure = FillStatus.FAILED, "never reached the chain"  # as the relayer fails one
        uow.commit()

    def available() -> int:
        return int(exchange.client.portal.call(lambda: host.accounts.available(buyer, usdc)))

    held = available()
    read = service_module.read_sync

    def commit_lands_then_raises(session: Any, *args: Any) -> Any:
        commit = session.commit

        def landed_but_raised() -> None:
            commit()
            raise OperationalError("COMMIT", {}, ConnectionResetError("connection lost during COMMIT"))

        session.commit = landed_but_raised
        return read(session, *args)

    monkeypatch.setattr(service_module, "read_sync", commit_lands_then_raises)
    with pytest.raises(OperationalError):
        exchange.sync()
    with container.uow() as uow:
        assert uow.session.get_one(Fill, fill.id).released  # the claim landed
    assert available() == held  # the host did not hear of it
    monkeypatch.undo()
    exchange.sync()
    assert available() == held + fill.quote_amount  # given back once
    exchange.sync()
    assert available() == held + fill.quote_amount
