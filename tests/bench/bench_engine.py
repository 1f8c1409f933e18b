"""Matching-engine benchmark: one JSON line with throughput and per-command latency percentiles.

Run from the repository root: `.venv/bin/python tests/bench/bench_engine.py [--commands N]`
(`make bench-engine` runs it as `python -m tests.bench.bench_engine`; both work).

The command stream is shaped like exchange-core's benchmark: a book kept at about 1,000 resting
orders over about 750 price levels around a drifting mid; mostly GTC limit adds and cancels near
the mid, some amends, IOC limits and market orders that take liquidity, a hundred accounts so that
self-trade prevention fires now and then. The stream is generated in chunks by a shadow engine (so
cancels name live orders) and then timed on the measured engine, which runs with everything on:
validation, STP, events, and journal append into the real `FileJournal` (a temporary file; group
commit: flush + fsync every `--flush-every` commands, the flush time counted in the throughput and
reported separately, not in any single command's latency).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from array import array
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # run as a script, tests/ is not a package
    sys.path.insert(0, str(REPO_ROOT))

from backend.engine import (  # noqa: E402
    AddMarket,
    AmendOrder,
    CancelOrder,
    Command,
    Engine,
    OrderCancelled,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    Side,
    TimeInForce,
    Trade,
)
from backend.engine.adapters.file_journal import FileJournal  # noqa: E402

MARKET = "ETH-USDC"
TICK = 5
LOT = 10
MID = 100_000
TARGET_ORDERS = 1_000
HALF_SPREAD_TICKS = 1000  # 1,000 orders spread this far occupy about 750 levels
ACCOUNTS = [f"acct{i}" for i in range(100)]
CHUNK = 50_000


class StreamGenerator:
    """Deterministic command stream; a shadow engine tells it which orders are live."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.shadow = Engine()
        self.live: list[str] = []
        self.slot: dict[str, int] = {}
        self.next_id = 0
        self.mid = MID

    def setup(self) -> list[Command]:
        commands: list[Command] = [AddMarket(MARKET, TICK, LOT, TICK * LOT)]
        while len(commands) < TARGET_ORDERS + 1:
            commands.append(self._resting_limit())
        for command in commands:
            self._apply(command)
        return commands

    def chunk(self, size: int) -> list[Command]:
        out: list[Command] = []
        rng = self.rng
        for _ in range(size):
            roll = rng.random()
            if len(self.live) < TARGET_ORDERS * 0.9:
                roll *= 0.5  # refill: favour adds
            elif len(self.live) > TARGET_ORDERS * 1.1:
                roll = 0.47 + roll * 0.43  # trim: cancels only
            if roll < 0.47:
                command: Command = self._resting_limit()
            elif roll < 0.90 and self.live:
                command = CancelOrder(self.live[rng.randrange(len(self.live))])
            elif roll < 0.95 and self.live:
                order = self.shadow.order(self.live[rng.randrange(len(self.live))])
                assert order is not None
                command = AmendOrder(order.order_id, max(LOT, order.remaining - LOT))
            elif roll < 0.98:
                command = self._taker(OrderType.LIMIT, TimeInForce.IOC)
            else:
                command = self._taker(OrderType.MARKET, None)
            self._apply(command)
            out.append(command)
        return out

    def _new_id(self) -> str:
        self.next_id += 1
        return f"o{self.next_id}"

    def _resting_limit(self) -> PlaceOrder:
        rng = self.rng
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        # triangular distance from the mid: dense near it, thin at the edges; a few cross
        ticks = int(rng.triangular(-3, HALF_SPREAD_TICKS, 0))
        price = self.mid - ticks * TICK if side is Side.BUY else self.mid + ticks * TICK
        return PlaceOrder(
            self._new_id(), rng.choice(ACCOUNTS), MARKET, side, OrderType.LIMIT, max(TICK, price),
            LOT * rng.randint(1, 20), stp=SelfTradePrevention.CANCEL_TAKER,
        )  # fmt: skip

    def _taker(self, order_type: OrderType, tif: TimeInForce | None) -> PlaceOrder:
        rng = self.rng
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        reach = rng.randint(1, 8) * TICK
        price = self.mid + reach if side is Side.BUY else self.mid - reach
        stp = rng.choice(list(SelfTradePrevention))
        return PlaceOrder(
            self._new_id(), rng.choice(ACCOUNTS), MARKET, side, order_type, price, LOT * rng.randint(1, 30),
            tif=tif, stp=stp,
        )  # fmt: skip

    def _apply(self, command: Command) -> None:
        """Run the command on the shadow engine, following the mid and which orders are live."""
        for event in self.shadow.apply(command):
            if type(event) is Trade:
                self.mid = event.price
                if self.shadow.order(event.maker_order_id) is None:
                    self._untrack(event.maker_order_id)
            elif type(event) is OrderCancelled and event.order_id in self.slot:
                self._untrack(event.order_id)
        if type(command) is PlaceOrder and self.shadow.order(command.order_id) is not None:
            self.slot[command.order_id] = len(self.live)
            self.live.append(command.order_id)

    def _untrack(self, order_id: str) -> None:
        index = self.slot.pop(order_id)
        last = self.live.pop()
        if last != order_id:
            self.live[index] = last
            self.slot[last] = index


def run(commands: int, seed: int, flush_every: int) -> dict[str, object]:
    """Generate and time the stream; return the result line."""
    generator = StreamGenerator(seed)
    latencies = array("q")
    flushes = array("q")
    trades = 0
    timed_ns = 0
    with (
        tempfile.TemporaryDirectory() as tmp,
        FileJournal(Path(tmp) / "engine.journal", fsync=True) as journal,
    ):
        engine = Engine(journal=journal)
        for command in generator.setup():
            engine.apply(command)
        journal.flush()
        gc.collect()
        gc.freeze()  # the setup's long-lived objects need no more scanning by the cycle collector
        done = 0
        clock = time.perf_counter_ns
        apply = engine.apply
        record = latencies.append
        since_flush = 0
        while done < commands:
            chunk = generator.chunk(min(CHUNK, commands - done))
            for command in chunk:
                start = clock()
                events = apply(command)
                elapsed = clock() - start
                record(elapsed)
                timed_ns += elapsed
                for event in events:
                    if type(event) is Trade:
                        trades += 1
                since_flush += 1
                if since_flush == flush_every:
                    start = clock()
                    journal.flush()
                    flushes.append(clock() - start)
                    since_flush = 0
            done += len(chunk)
            print(f"bench-engine: {done}/{commands} commands", file=sys.stderr, flush=True)
        start = clock()
        journal.flush()
        flushes.append(clock() - start)
        flush_ns = sum(flushes)
        journal_bytes = journal.path.stat().st_size
        assert generator.shadow.state_hash() == engine.state_hash(), "measured engine diverged from shadow"
        depth = engine.depth(MARKET, levels=10_000)
        resting = len(engine.resting_orders(MARKET, Side.BUY)) + len(engine.resting_orders(MARKET, Side.SELL))
    total_s = (timed_ns + flush_ns) / 1e9
    ordered, ordered_flushes = sorted(latencies), sorted(flushes)

    def percentile(fraction: float, values: list[int] = ordered) -> float:
        return round(values[min(len(values) - 1, int(len(values) * fraction))] / 1000, 2)

    return {
        "bench": "engine",
        "commands": commands,
        "commands_per_s": round(commands / total_s),
        "p50_us": percentile(0.50),
        "p99_us": percentile(0.99),
        "p999_us": percentile(0.999),
        "max_us": round(ordered[-1] / 1000, 1),
        "trades": trades,
        "resting_orders_end": resting,
        "levels": len(depth.bids) + len(depth.asks),
        "journal": f"FileJournal temp file; group commit: one frame + fsync every {flush_every} commands",
        "journal_bytes": journal_bytes,
        "journal_flush_s": round(flush_ns / 1e9, 3),
        "journal_flush_p50_us": percentile(0.50, ordered_flushes),
        "journal_flush_p99_us": percentile(0.99, ordered_flushes),
        "seed": seed,
    }


def main() -> None:
    """Parse arguments, run, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--flush-every", type=int, default=1_000)
    args = parser.parse_args()
    print(json.dumps(run(args.commands, args.seed, args.flush_every)))


if __name__ == "__main__":
    main()
