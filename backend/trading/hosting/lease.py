"""The engine lease: one engine host per database, the single writer of order state.

Two engine hosts on one database would each hold funds against their own book, so a wallet could be promised
the same balance twice; a rolling deploy that starts the new process before the old one stops does exactly
that. So a host runs only while it holds the `engine` lease (`backend.db.leases`), and a second process
stands by until the first releases it (a clean stop) or lets it run out (a crash, `HDEX_ENGINE_LEASE_S`).

Holding is not trusted on the holder's word: every transaction that makes the host's changes durable (a
batch, a chain sync, the restore, a withdrawal request) first renews the lease in the same transaction and
rolls back if another owner holds it (`fence`). A holder paused past its lease (a stalled VM, a long GC)
that wakes up after another process took over therefore commits nothing, and answers nothing as accepted.

A holder that died on this machine is not waited out: a supervisor restarting `hdex engine serve` after a crash
takes the lease over at once, on the evidence of the dead holder's mark (`backend.db.lease_mark`).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from backend.db.lease_mark import HolderMark, take_lease
from backend.db.leases import release_lease, renew_lease
from backend.db.models import Lease

log = logging.getLogger(__name__)
ENGINE_LEASE = "engine"
LOST_MESSAGE = "this engine process lost the engine lease to another; retry"  # what a refused client is told
Fence = Callable[[Session], None]  # `EngineLease.fence`: first in a transaction that makes the host's changes durable


class LeaseLost(RuntimeError):
    """Another engine process holds the engine lease: this one may no longer write."""


class EngineLease:
    """This process's claim on the engine lease (see the module docs); `mark`: where it leaves its `HolderMark`."""

    def __init__(
        self, session_factory: sessionmaker[Session], ttl_s: float, owner: str | None = None, mark: Path | None = None
    ) -> None:
        self._session_factory = session_factory
        self.ttl_s = ttl_s
        # unique per process start: a restarted process is a new owner, never mistaken for the one that ended
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._mark = None if mark is None else HolderMark(mark)
        self._held_until = 0.0  # monotonic: no other process can take the lease over before then
        self.free_in = 0.0  # after a take that failed: seconds until the holder's term runs out, unless renewed

    def take(self) -> bool:
        """Take the lease, or renew it if ours; False while another owner holds it unexpired, unless the mark
        shows that owner has ended on this machine."""
        started = time.monotonic()
        with self._session_factory() as session:
            taken = take_lease(session, ENGINE_LEASE, self.owner, self.ttl_s, self._mark)
            if not taken:
                expires_at_ms = session.scalar(select(Lease.expires_at_ms).where(Lease.name == ENGINE_LEASE)) or 0
                self.free_in = max(expires_at_ms / 1000 - time.time(), 0.0)
        if taken:
            self._held_until = started + self.ttl_s
        return taken

    def time_left(self) -> float:
        """Seconds before another process could take the lease over, counted from this process's last take or
        renewal (0 once released or lost). It runs out when this process stalled past its term (a paused VM) or
        could not renew: it may have been deposed and not know yet, so it must not start work it cannot store.
        Assumes the machines' clocks agree to well within a term, as every lease does."""
        return max(self._held_until - time.monotonic(), 0.0)

    def holder(self) -> str:
        """Who holds the lease now and for how long, for messages: "host:pid:tag for 12.3 s more", or "nobody"."""
        with self._session_factory() as session:
            lease = session.scalar(select(Lease).where(Lease.name == ENGINE_LEASE))
        left_ms = 0 if lease is None else lease.expires_at_ms - int(time.time() * 1000)
        if lease is None or left_ms <= 0:
            return "nobody"
        return f"{lease.owner} for {left_ms / 1000:.1f} s more"

    def fence(self, session: Session) -> None:
        """Renew the lease inside `session`'s transaction, or raise LeaseLost if another owner holds it. Call it
        first in a transaction: its row lock then orders the transaction after any takeover it races with."""
        self._fence_as(session, self.owner)

    def term_fence(self) -> Fence:
        """`fence` for the owner this process holds the lease as now: it keeps refusing after `new_term`, so a
        write begun under one host (a batch, a withdrawal request) that reaches its fence late cannot commit
        under the next host of this process, which restored the book without it."""
        owner = self.owner
        return lambda session: self._fence_as(session, owner)

    def new_term(self) -> None:
        """Hold the lease under a new owner name from the next take on (this process let its host go)."""
        self.owner = f"{self.owner.rsplit(':', 1)[0]}:{secrets.token_hex(4)}"

    def _fence_as(self, session: Session, owner: str) -> None:
        if not renew_lease(session, ENGINE_LEASE, owner, self.ttl_s):
            session.rollback()
            if owner == self.owner:  # an ended term's straggler tells nothing about the current term's hold
                self._held_until = 0.0
                if self._mark is not None:
                    self._mark.drop()
            raise LeaseLost(f"the engine lease is no longer ours (held by {self.holder()})")

    def renew(self) -> None:
        """Renew in a transaction of its own (the idle heartbeat); LeaseLost if taken over. Takes the mark if a
        deposed holder on this machine kept it when the lease was taken, and has ended since."""
        started = time.monotonic()
        with self._session_factory() as session:
            self.fence(session)
            session.commit()
        self._held_until = started + self.ttl_s
        if self._mark is not None:
            self._mark.hold(self.owner)

    @property
    def renew_every_s(self) -> float:
        """How often a holder renews: a third of a term, so that one slow database round does not lose it."""
        return self.ttl_s / 3

    @contextmanager
    def kept(self) -> Iterator[None]:
        """Renew the lease every `renew_every_s` from a thread of its own while the block runs: starting a host
        (restoring a large book) holds the event loop, where the heartbeat runs, and a restore longer than a
        term would otherwise hand the lease to a standing-by process. Renewal stops once the lease is found
        lost; the block's own fence then refuses what it would store."""
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(self.renew_every_s):
                try:
                    self.renew()
                except LeaseLost:
                    return
                except SQLAlchemyError as exc:  # the database away: the next beat, or the block's fence, decides
                    log.warning("engine lease not renewed; retrying", extra={"error": str(exc)})

        thread = threading.Thread(target=heartbeat, name="engine-lease-kept", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def release(self) -> None:
        """Give the lease up at once (a clean stop), if we hold it, so a standing-by process starts now."""
        self._held_until = 0.0
        with self._session_factory() as session:
            release_lease(session, ENGINE_LEASE, self.owner)
        if self._mark is not None:
            self._mark.drop()
