"""A lease holder's mark on its machine, so that a process restarted after a crash need not wait the dead one out.

A lease (`backend.db.leases`) held by a process that crashed stays held until its term runs out: a supervisor's
restart would leave the job (the engine host, the relayer, the indexer...) stopped for that long. So the holder
keeps an exclusive `flock` on a file in its data directory, the file naming the holder. The kernel drops the lock
when the process ends, however it ends (SIGKILL, a crash, the OOM killer), so a process that can lock the file
while it names the lease's current owner knows that owner has ended, and takes the lease from it at once.

Evidence for a quicker takeover only: what keeps two writers apart is the lease itself (and the engine's fence).
A process on another machine, or with another data directory, finds no mark and waits the term out.
"""

from __future__ import annotations

import fcntl
import logging
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.leases import acquire_lease, take_lease_from
from backend.db.models import Lease

log = logging.getLogger(__name__)


def mark_path(data_dir: Path, lease: str) -> Path:
    """Where a process with data directory `data_dir` keeps its mark of lease `lease`."""
    return data_dir / "leases" / f"{lease}.lock"


class HolderMark:
    """The mark file of one lease (see the module docs)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None
        self._named = ""  # whom the file names while this process holds it

    def hold(self, owner: str) -> None:
        """Name `owner` in the mark (written only when that changes: a leased loop calls this every tick), unless
        a live process holds it: then nothing (a deposed holder still running keeps it until it ends, and a
        takeover from this owner waits the term out, as without a mark)."""
        if self._file is None and not self._lock():
            return
        assert self._file is not None
        if self._named != owner:
            self._file.truncate(0)
            self._file.write(owner)  # appended to the emptied file
            self._file.flush()
            self._named = owner

    def ended_holder(self) -> str | None:
        """The owner the mark names, if no live process holds the mark (this one then holds it: `hold` or `drop`
        next); None while another process holds it."""
        if self._file is None and not self._lock():
            return None
        assert self._file is not None
        self._file.seek(0)
        self._named = self._file.read()
        return self._named

    def drop(self) -> None:
        file, self._file = self._file, None  # two threads may drop it at once (a lost lease seen by both)
        self._named = ""
        if file is not None:
            file.close()  # the lock goes with the descriptor; the file stays, naming an owner no longer in the lease

    def _lock(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True


def take_lease(session: Session, name: str, owner: str, ttl_s: float, mark: HolderMark | None) -> bool:
    """`acquire_lease`, or else the lease taken from its holder if `mark` shows that holder has ended; the mark is
    then this owner's. Commits on its own, as `acquire_lease` does."""
    taken = acquire_lease(session, name, owner, ttl_s)
    if not taken and mark is not None:
        taken = _take_from_ended(session, name, owner, ttl_s, mark)
    if taken and mark is not None:
        mark.hold(owner)
    return taken


def _take_from_ended(session: Session, name: str, owner: str, ttl_s: float, mark: HolderMark) -> bool:
    named = mark.ended_holder()
    if not named:  # a live process holds the mark, or none ever named anyone: no evidence, no query
        mark.drop()
        return False
    if named == session.scalar(select(Lease.owner).where(Lease.name == name)) and take_lease_from(
        session, name, named, owner, ttl_s
    ):
        log.warning("the lease's holder on this machine has ended: lease taken without waiting its term out",
                    extra={"lease": name, "holder": named})  # fmt: skip
        return True
    mark.drop()
    return False
