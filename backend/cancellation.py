"""A cancellation that redis-py can lose, kept by the loops that read or write Redis until cancelled."""

from __future__ import annotations

import asyncio


def raise_if_cancelled() -> None:
    """Stop the running task if it was cancelled. A loop over Redis calls runs this each round: on Python 3.11,
    redis-py can lose a cancel that lands as a command completes. It writes each command under `asyncio.wait_for`
    (a socket timeout is set), which returns the result instead of the cancellation when both land at once
    (CPython gh-86296), and a pub/sub read under its timeout was seen to lose one too. The loop would go on for
    good, and the stop that cancelled it would wait on it for good. The request stays counted (`Task.cancelling`)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
