"""Process supervision, so `make run` never leaves anvil or the API behind (Linux; no-ops elsewhere).

- A child asks the kernel for SIGTERM when its parent dies (PR_SET_PDEATHSIG).
- `hdex up` under make: make does not forward a SIGINT sent to make alone; it blocks the signal
  and waits for its children. We see that in /proc and interrupt ourselves.
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


def _parent_is_stopping(ppid: int) -> bool:
    # Only make: other shells may block signals briefly for unrelated reasons.
    proc = Path(f"/proc/{ppid}")
    try:
        if proc.joinpath("comm").read_text().strip() != "make":
            return False
        for line in proc.joinpath("status").read_text().splitlines():
            if line.startswith("SigBlk:"):
                return bool(int(line.split()[1], 16) & _STOP_SIGNALS_MASK)
    except OSError:
        return False
    return False


def watch_parent(interval: float = 0.5) -> None:
    """Interrupt this process (SIGINT) when the parent dies or is a make handling SIGINT/SIGTERM."""
    if sys.platform != "linux":
        return
    die_with_parent()
    ppid = os.getppid()

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != ppid or _parent_is_stopping(ppid):
                log.info("parent process is stopping; shutting down", extra={"ppid": ppid})
                os.kill(os.getpid(), signal.SIGINT)
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
