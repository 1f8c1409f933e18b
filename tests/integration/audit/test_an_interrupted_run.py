"""`hdex audit` stopped midway (Ctrl-C, or SIGTERM from `kill` or a scheduler) says so in one line, naming the
checkpoint to resume from, and exits 2 (the audit could not finish): never 1, which means discrepancies were found,
nor a silent death. `--resume` then carries on to a clean verdict."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from backend.paths import PROJECT_ROOT

from ..devchain import DevChain
from .conftest import hdex_audit

pytestmark = pytest.mark.chain


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_audit_exits_2_naming_the_checkpoint_to_resume_from(
    devchain: DevChain, tmp_path: Path, sig: signal.Signals
) -> None:
    devchain.deposit(5, "WETH", 10**18)
    devchain.mine(500)  # one block per chunk: long enough a run to stop midway
    exchange = devchain.exchange.address
    command = [sys.executable, "-m", "backend.cli", "audit", "--rpc", devchain.url, "--exchange", exchange,
               "--report", str(tmp_path), "--chunk-blocks", "1"]  # fmt: skip
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # the first chunk's progress: its checkpoint is written
    assert first.startswith("audit: block"), first
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 2, (process.returncode, stdout, stderr)
    last = stderr.strip().splitlines()[-1]
    checkpoint = tmp_path / "audit-checkpoint.json"
    assert last.startswith(
        f"hdex audit: interrupted: no report written; the checkpoint at {checkpoint} holds blocks up to "
    )
    assert last.endswith(": carry on with --resume")
    assert "Traceback" not in stderr and "Aborted!" not in stderr
    assert not (tmp_path / "audit-report.json").exists()

    resumed = hdex_audit(devchain.url, exchange, tmp_path, "--resume", "--chunk-blocks", "2000")
    assert resumed.exit_code == 0, resumed.stdout
    assert resumed.report["resumed_from"] is not None
