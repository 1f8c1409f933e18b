"""One background job, one writer: a step run every interval by whoever holds the job's lease.

The indexer and the relayer are both this loop around a step of their own. Every tick takes or
renews the lease (`backend.db.leases`) for `ttl_s`, and only then runs the step, so two copies of a
job (two `hdex up`, a thread and a Celery worker) never write at once: the second waits until the
first releases the lease on a clean stop, or until it lapses `ttl_s` after a crash (at once, for a copy
restarted with the dead one's data directory: `backend.db.lease_mark`). A step that may outlast the TTL (a
slow node) calls `keep()` before each write: it renews the lease, or stops the step once another copy took
it (`LeaseTakenOver`: the loop stands by). A step that
fails with one of the faults the job expects (RPC down, database busy) is retried after a delay
that doubles per failure up to `max_backoff_s`, and drops back to `interval_s` after a success;
any other exception ends the loop, since retrying a bug would only repeat it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from backend.db.lease_mark import HolderMark, mark_path, take_lease
from backend.db.leases import acquire_lease, release_lease, renew_lease

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BACKOFF_S = 10.0


class LeaseTooShort(ValueError):
    """The lease would lapse between two ticks, letting a second writer in while the first sleeps."""


class LeaseTakenOver(RuntimeError):
    """Another copy of the job took the lease during a step (it outlasted the TTL): the step stops before its
    next write, and the loop stands by."""


def _nothing(*_: object) -> None:
    """The default hook: nothing to count on a fault, nothing to close at the end."""


class LeasedLoop(Generic[T]):
    """Runs `step` every `interval_s` while this process holds lease `lease` (see the module docs)."""

    def __init__(
        self,
        job: str,
        lease: str,
        session_factory: sessionmaker[Session],
        step: Callable[[], T],
        *,
        ttl_s: float,
        interval_s: float,
        retry_on: tuple[type[Exception], ...],
        on_fault: Callable[[Exception], None] = _nothing,
        on_stop: Callable[[], None] = _nothing,
        on_standby: Callable[[], None] = _nothing,
        max_backoff_s: float = MAX_BACKOFF_S,
        context: Mapping[str, object] | None = None,
        data_dir: Path | None = None,
    ) -> None:
        if interval_s >= ttl_s:
            raise LeaseTooShort(f"the {job} interval ({interval_s}s) must be shorter than its lease TTL ({ttl_s}s)")
        self.job = job
        self.lease = lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.ttl_s = ttl_s
        self.interval_s = interval_s
        self._session_factory = session_factory
        self._step = step
        self._retry_on = retry_on
        self._on_fault = on_fault
        self._on_stop = on_stop
        self._on_standby = on_standby  # each tick another owner holds the lease (what this copy shows must go)
        self._max_backoff_s = max_backoff_s
        self._context = {"lease": lease, "owner": self.owner, **(context or {})}
        self._holding = False
        # on this machine, a copy restarted after a crash takes the lease from the dead one at once
        self._mark = None if data_dir is None else HolderMark(mark_path(data_dir, lease))

    def tick(self, step: Callable[[], T] | None = None) -> T | None:
        """Run the step (`step` instead, for this tick only: a pass with other arguments) once if we hold (or can
        take) the lease; None when another owner holds it."""
        with self._session_factory() as session:
            held = take_lease(session, self.lease, self.owner, self.ttl_s, self._mark)
        if held != self._holding:
            # Transitions only: a standby copy would otherwise log once per interval.
            log.info(f"{self.job} lease {'taken' if held else 'lost'}", extra=self._context)
            self._holding = held
        if not held:
            self._on_standby()
            return None
        return (step or self._step)()

    def keep(self) -> None:
        """Renew the lease in the middle of a step, before a write that must be this copy's alone; LeaseTakenOver
        once another copy holds it."""
        with self._session_factory() as session:
            held = acquire_lease(session, self.lease, self.owner, self.ttl_s)
        if not held:
            self._holding = False
            log.warning(f"{self.job} lease taken over during a step; stopping it", extra=self._context)
            raise LeaseTakenOver(f"the {self.job} lease went to another owner during a step")

    def fence(self, session: Session) -> None:
        """`keep`, inside `session`'s transaction: the lease is renewed in the same commit as the write it guards,
        so no lapse can come between the check and the write (LeaseTakenOver, and nothing of the transaction
        commits, once another copy holds it)."""
        if not renew_lease(session, self.lease, self.owner, self.ttl_s):
            session.rollback()
            self._holding = False
            log.warning(f"{self.job} lease taken over before a write; stopping the step", extra=self._context)
            raise LeaseTakenOver(f"the {self.job} lease went to another owner during a step")

    def release(self) -> None:
        """Give the lease up at once, so a standby copy takes over without waiting for the TTL."""
        with self._session_factory() as session:
            release_lease(session, self.lease, self.owner)
        self._holding = False
        if self._mark is not None:
            self._mark.drop()

    def run(self, stop: threading.Event) -> None:
        """Tick until `stop` is set, backing off while expected faults last; release the lease at the end."""
        delay = self.interval_s
        log.info(f"{self.job} started", extra=self._context)
        try:
            while not stop.is_set():
                try:
                    self.tick()
                    delay = self.interval_s
                except LeaseTakenOver:  # logged by `keep`; the next tick stands by
                    delay = self.interval_s
                except self._retry_on as exc:
                    self._on_fault(exc)
                    delay = min(self._max_backoff_s, delay * 2)
                    log.warning(f"{self.job} tick failed; retrying", extra={"error": str(exc), "retry_in_s": delay})
                stop.wait(delay)
        finally:
            try:
                self.release()
            finally:
                self._on_stop()
                log.info(f"{self.job} stopped", extra=self._context)

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        """`run` on a daemon thread named after the job."""
        thread = threading.Thread(target=self.run, args=(stop,), name=self.job, daemon=True)
        thread.start()
        return thread
