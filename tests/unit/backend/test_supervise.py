"""A process started other than by make (nohup, a deploy script, a service manager) outlives what launched it:
`watch_parent` stopped a production engine when the SSH session that started it ended."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = """
import os, sys
from pathlib import Path
from backend.supervise import watch_parent
launcher = os.getppid()
watching = watch_parent()
Path(sys.argv[1], "ready").write_text("")
while os.getppid() == launcher:  # until the launcher has exited and this process was handed on
    os.sched_yield()
Path(sys.argv[1], "outlived").write_text(str(watching))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="parent watching is Linux-only")
def test_a_process_a_shell_started_in_the_background_outlives_the_shell(tmp_path: Path) -> None:
    launcher = f'"{sys.executable}" -c "$0" "$1" & while [ ! -e "$1/ready" ]; do sleep 0.01; done'
    subprocess.run(["sh", "-c", launcher, CHILD, str(tmp_path)], check=True, timeout=60)
    outlived = tmp_path / "outlived"
    deadline = time.monotonic() + 30  # only a failing run waits this long: the child is killed at once, or not at all
    while not outlived.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert outlived.exists(), "the child died with the shell that started it"
    assert outlived.read_text() == "False"  # no make above it: nothing watched
