"""Processes that find the contracts stale at once compile them once (the others wait, then find them fresh)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from backend.chain import compiler

SOURCE = Path("contracts/Exchange.sol")


def test_callers_that_find_the_sources_stale_together_compile_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    artifacts = tmp_path / "build" / "contracts"
    compiled: list[int] = []
    both_looked = threading.Barrier(2)
    looked = threading.local()

    def stale_sources() -> list[Path]:
        found = [] if compiled else [SOURCE]
        if not getattr(looked, "once", False):
            looked.once = True
            both_looked.wait(timeout=5)  # both callers find them stale before either compiles
        return found

    def compile_all() -> list[str]:
        time.sleep(0.2)  # the other caller is at the lock meanwhile
        compiled.append(1)
        return ["Exchange"]

    monkeypatch.setattr(compiler, "ARTIFACTS_DIR", artifacts)
    monkeypatch.setattr(compiler, "source_files", lambda _dir: [SOURCE])
    monkeypatch.setattr(compiler, "stale_sources", stale_sources)
    monkeypatch.setattr(compiler, "compile_all", compile_all)
    results: list[bool] = []
    callers = [threading.Thread(target=lambda: results.append(compiler.ensure_compiled())) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)

    assert len(compiled) == 1
    assert sorted(results) == [False, True]
