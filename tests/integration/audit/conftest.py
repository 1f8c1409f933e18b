"""Audit tests: the hybrid loop's fixture (shared, not copied) and `hdex audit` run as a user runs it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from backend.cli import main

from ..e2e.test_hybrid_loop import loop  # noqa: F401  (the fixture, shared rather than copied)


@dataclass
class AuditRun:
    exit_code: int
    stdout: str
    stderr: str
    report: dict[str, Any]

    def kinds(self) -> set[str]:
        return {f["kind"] for f in self.report["findings"] if f["failing"]}


def hdex_audit(url: str, exchange: str, report_dir: Path, *extra: str) -> AuditRun:
    """`hdex audit --rpc URL --exchange ADDRESS --report DIR ...`, and the JSON report it wrote."""
    result = CliRunner().invoke(
        main, ["audit", "--rpc", url, "--exchange", exchange, "--report", str(report_dir), *extra]
    )
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.stderr, result.exception)
    report = json.loads((report_dir / "audit-report.json").read_text(encoding="utf-8"))
    return AuditRun(result.exit_code, result.stdout, result.stderr, report)
