"""Process supervision, so `make run` never leaves anvil or the API behind (Linux; no-ops elsewhere).

- A child asks the kernel for SIGTERM when its parent dies (PR_SET_PDEATHSIG).
- `hdex up` under make: make does not forward a SIGINT sent to make alone; it blocks the signal
  and waits for its children. We see that in /proc and interrupt ourselves. Started any other way, it outlives
  its launcher.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS_MASK = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))


def die_with_parent() -> None:
    """Ask for SIGTERM when our parent process dies. Safe as a `preexec_fn`."""
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _make_parent_mask(ppid: int, field: str) -> int | None:
    """A signal mask line (SigBlk, SigIgn) of our parent when it is make; None otherwise."""
    proc = Path(f"/proc/{ppid}")
    try:
        if proc.joinpath("comm").read_text().strip() != "make":
            return None
        for line in proc.joinpath("status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1], 16)
    except OSError:
        return None
    return None


def _parent_is_stopping(ppid: int) -> bool:
    # Only make: other shells may block signals briefly for unrelated reasons.
    blocked = _make_parent_mask(ppid, "SigBlk")
    return blocked is not None and bool(blocked & _STOP_SIGNALS_MASK)


def watch_parent(interval: float = 0.5) -> bool:
    """Under make (`make run`): interrupt this process (SIGINT) when make dies or handles SIGINT/SIGTERM. Started any
    other way (nohup, a deploy script, a service manager) the process outlives what launched it: a production engine
    must not stop because an SSH session ended. Whether it watches."""
    if sys.platform != "linux":
        return False
    ppid = os.getppid()
    ignored = _make_parent_mask(ppid, "SigIgn")
    if ignored is None:
        return False
    die_with_parent()
    if ignored is not None and ignored & (1 << (signal.SIGINT - 1)):
        # A script's `make run &` starts make with SIGINT ignored (a shell rule for background
        # jobs): a SIGINT sent to make is then discarded before anyone can see it.
        log.warning("make ignores SIGINT here (started in the background by a script): stop it with SIGTERM")

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != ppid or _parent_is_stopping(ppid):
                log.info("parent process is stopping; shutting down", extra={"ppid": ppid})
                os.kill(os.getpid(), signal.SIGINT)
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return True
