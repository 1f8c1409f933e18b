"""Child processes the tests start (servers, workers, chains)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def without_hdex_settings(**settings: str) -> dict[str, str]:
    """This process's environment with none of its HDEX_* settings but `settings`: what a child process started
    for a test reads (the developer's or CI's HDEX_DATABASE_URL must not reach an exchange the test starts)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("HDEX_")}
    env.update(settings)
    return env


def hdex_command(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`hdex ARGS...` in a process of its own, as a script runs it (stdin not a terminal), with none of this
    process's HDEX_* settings but `settings` (`HDEX_DATABASE_URL="..."`, ...)."""
    from backend.paths import PROJECT_ROOT

    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=PROJECT_ROOT,
        env=without_hdex_settings(**settings),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout_s: float = 10) -> bool:
    """Ask `process` to stop with `sig`; killed if it has not exited within `timeout_s`. Returns once it is gone:
    False if it had to be killed (a stop that hangs)."""
    if process.poll() is not None:
        return True
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False
    return True


_LEASE_HOLDER = """
import sys, time
from pathlib import Path
from sqlalchemy.orm import sessionmaker
from backend.db.lease_mark import HolderMark, mark_path, take_lease
from backend.db.session import make_engine
database_url, lease, data_dir = sys.argv[1:]
owner = f"holder:{time.time_ns()}"
mark = HolderMark(mark_path(Path(data_dir), lease))  # kept: its open file is the lock
with sessionmaker(make_engine(database_url))() as session:
    assert take_lease(session, lease, owner, 3600.0, mark)
print(owner, flush=True)
time.sleep(3600)
"""


@contextmanager
def lease_holder(database_url: str, lease: str, data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Another process on this machine holding `lease` for an hour (longer than any test), with its mark in
    `data_dir`; with its owner name. Killed at the end of the block if the test did not kill it."""
    process = subprocess.Popen([sys.executable, "-c", _LEASE_HOLDER, database_url, lease, str(data_dir)],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()
