"""The engine host's sync loop outlives a failing round: before, an exception other than a database fault ended
the loop for good without a word, and the host went stale (deposits never credited, holds never given back,
frozen wallets trading on) while /health said all was well."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from backend.metrics import ENGINE_SYNC_FAILURES, ENGINE_SYNC_LAST_SUCCESS
from backend.trading.hosting.service import TradingService

from .exchange_fixtures import prepare, running


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
