"""The Redis bus holds a bounded number of batches for Redis: one that stalls (no answer, no refusal) makes it
drop batches, counted, instead of the engine process holding every batch it publishes meanwhile."""

from __future__ import annotations

from typing import Any

from backend.marketdata.bus import PUBLISH_QUEUE_BATCHES, RedisBus


def test_batches_past_the_bound_are_dropped_and_counted_and_this_process_still_gets_them() -> None:
    bus = RedisBus("redis://127.0.0.1:1/0")  # never started: its sender takes nothing, as with a stalled Redis
    delivered: list[str] = []

    def deliver(key: str, message: dict[str, Any]) -> None:
        delivered.append(key)

    bus._local._deliver = deliver  # this process's own hub
    for i in range(PUBLISH_QUEUE_BATCHES + 5):
        bus.publish([(f"trades:M{i}", {"id": str(i)})])
    assert (bus.dropped, bus._queue.qsize()) == (5, PUBLISH_QUEUE_BATCHES)
    assert len(delivered) == PUBLISH_QUEUE_BATCHES + 5  # its own clients miss nothing
