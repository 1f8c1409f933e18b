"""The mypyc-compiled core and the pure-Python core are one engine: same events and state, chosen at import."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend.engine import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    MarketState,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    SetMarketState,
    Side,
    TimeInForce,
    native,
)
from backend.engine.records import command_to_record

REPO_ROOT = Path(__file__).resolve().parents[4]
MARKET = "ETH-USDC"

# Replays journal records read from stdin; prints which core ran, a digest of every event's repr, the state hash.
_REPLAY = """
import hashlib, json, sys
from backend.engine import COMPILED, Engine
from backend.engine.records import record_to_command
engine, digest = Engine(), hashlib.sha256()
for record in json.load(sys.stdin):
    digest.update(repr(engine.apply(record_to_command(tuple(record)))).encode())
print(json.dumps({"compiled": COMPILED, "events": digest.hexdigest(), "state": engine.state_hash()}))
"""


def _stream(seed: int, size: int) -> list[Command]:
    """A dense stream on one small market: every command kind, tif, STP mode, stops and expiries."""
    rng = random.Random(seed)
    stream: list[Command] = [AddMarket(MARKET, tick_size=1, lot_size=1, min_notional=0)]
    used: list[str] = []
    halted_or_cancel_only = False
    stop_types = [OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT]
    for ts in range(1, size + 1):
        roll, order_id = rng.random(), f"o{ts}"
        account, side = rng.choice(["alice", "bob", "carol"]), rng.choice(list(Side))
        price, qty, stp = rng.randint(97, 103), rng.randint(1, 6), rng.choice(list(SelfTradePrevention))
        expires_at = rng.choice([None, None, ts + rng.randint(1, 40)])
        recent = used[-rng.randint(1, min(8, len(used)))] if used else "never-placed"
        command: Command
        if halted_or_cancel_only and roll < 0.15:  # keep the market mostly open
            command, halted_or_cancel_only = SetMarketState(MARKET, MarketState.OPEN, ts), False
        elif roll < 0.45:
            tif = rng.choice([None, *TimeInForce])
            command = PlaceOrder(order_id, account, MARKET, side, OrderType.LIMIT, price, qty, None, tif, stp,
                                 expires_at, ts)  # fmt: skip
        elif roll < 0.52:
            command = PlaceOrder(order_id, account, MARKET, side, OrderType.MARKET, price, qty, stp=stp, ts=ts)
        elif roll < 0.62:
            command = PlaceOrder(order_id, account, MARKET, side, rng.choice(stop_types), price, qty,
                                 rng.randint(97, 103), None, stp, expires_at, ts)  # fmt: skip
        elif roll < 0.80:
            command = CancelOrder(recent, ts)
        elif roll < 0.88:
            command = AmendOrder(recent, rng.randint(1, 6), ts)
        elif roll < 0.92:
            command = CancelAll(account, rng.choice([None, MARKET]), ts)
        elif roll < 0.97:
            command = ExpireOrders(ts)
        else:
            state = rng.choice([MarketState.HALTED, MarketState.CANCEL_ONLY])
            command, halted_or_cancel_only = SetMarketState(MARKET, state, ts), True
        if isinstance(command, PlaceOrder):
            used.append(order_id)
        stream.append(command)
    return stream


def _replay(stream: list[Command], *, pure: bool) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _REPLAY],
        input=json.dumps([command_to_record(command) for command in stream]),
        env={**os.environ, native.PURE_ENV: "1" if pure else "0"},
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _build_is_current() -> bool:
    digest = native.BUILD_DIR / "backend" / "engine" / native.DIGEST_FILE
    return digest.exists() and digest.read_text().strip() == native.source_digest()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_and_the_pure_core_emit_the_same_events_and_reach_the_same_state(seed: int) -> None:
    stream = _stream(seed, 3_000)
    compiled, pure = _replay(stream, pure=False), _replay(stream, pure=True)
    assert pure["compiled"] is False
    assert compiled["compiled"] is _build_is_current()  # the compiled core runs whenever it is built and fresh
    assert (compiled["events"], compiled["state"]) == (pure["events"], pure["state"])


def _fake_build(tmp_path: Path, digest: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(native, "BUILD_DIR", tmp_path)
    compiled_dir = tmp_path / "backend" / "engine"
    compiled_dir.mkdir(parents=True)
    (compiled_dir / native.DIGEST_FILE).write_text(digest + "\n")
    return compiled_dir


def test_a_build_of_the_current_sources_goes_first_on_the_package_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    compiled_dir = _fake_build(tmp_path, native.source_digest(), monkeypatch)
    path = ["/src/backend/engine"]
    native.use_compiled_core(path)
    assert path == [str(compiled_dir), "/src/backend/engine"]


def test_the_pure_core_is_forced_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.PURE_ENV, "1")
    _fake_build(tmp_path, native.source_digest(), monkeypatch)
    path = ["/src/backend/engine"]
    native.use_compiled_core(path)
    assert path == ["/src/backend/engine"]


def test_a_build_of_other_sources_is_refused_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(native.PURE_ENV, raising=False)
    _fake_build(tmp_path, "0" * 64, monkeypatch)
    path = ["/src/backend/engine"]
    with pytest.warns(RuntimeWarning, match="built from other sources"):
        native.use_compiled_core(path)
    assert path == ["/src/backend/engine"]
