"""A Redis command that loses its cancel, as redis-py on Python 3.11 can: when a cancel lands just as a command
completes, its `asyncio.wait_for` around a write returns the reply instead (CPython gh-86296), and a pub/sub read
under its timeout was seen to do the same. The loops reading or writing Redis must still stop
(`backend.cancellation.raise_if_cancelled`)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any


class LostCancel:
    """The command made through `answer` waits until cancelled, then returns its answer instead of raising. The
    caller makes only the first command so, and Redis's own after: a loop that missed the cancel then still ends
    when cancelled again. `waiting` is set once the command waits (a thread's event: a test's thread can wait on
    it as well as its loop), `swallowed` once it answered."""

    def __init__(self) -> None:
        self.waiting = threading.Event()
        self.swallowed = False

    async def answer(self, answer: Any) -> Any:
        self.waiting.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()  # never set: only the cancel ends the wait
        self.swallowed = True
        return answer
