"""The engine benchmark's figures, shared by bench_engine.py (our venv) and engine_peer.py (the peer's
venv, which has nothing of ours): standard library only, imported from beside both scripts."""

from __future__ import annotations

import hashlib
from array import array
from typing import Any


def figures(latencies: list[int], flushes: list[int], trades: array[int], resting: int) -> dict[str, Any]:
    """Throughput (timed commands plus flushes) and latency percentiles, for ours and the peer alike."""
    ordered = sorted(latencies)

    def percentile(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] / 1000, 2)

    total_s = (sum(latencies) + sum(flushes)) / 1e9
    return {
        "commands_per_s": round(len(latencies) / total_s),
        "p50_us": percentile(0.50),
        "p99_us": percentile(0.99),
        "p999_us": percentile(0.999),
        "flush_s": round(sum(flushes) / 1e9, 3),
        "trades": len(trades) // 4,
        "trades_sha256": hashlib.sha256(trades.tobytes()).hexdigest(),
        "resting_orders_end": resting,
    }
