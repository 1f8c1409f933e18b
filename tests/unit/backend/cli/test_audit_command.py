"""`hdex audit` that stops before its end leaves no earlier run's report behind to be read as its own, and says why
in one line (exit 2; exit 1 means discrepancies)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from backend.cli import main


def test_a_run_that_stops_leaves_no_earlier_report_and_one_line(tmp_path: Path) -> None:
    report = tmp_path / "audit-report"
    report.mkdir()
    for name in ("audit-report.json", "audit-report.html"):
        (report / name).write_text('{"ok": true}')
    (report / "audit-checkpoint.json").write_text("{}")

    stopped = CliRunner().invoke(
        main, ["audit", "--rpc", "http://127.0.0.1:9", "--exchange", "0x" + "ee" * 20, "--report", str(report)]
    )

    assert stopped.exit_code == 2, stopped.output
    assert stopped.output.strip().splitlines()[-1].startswith("hdex audit: ")
    assert sorted(p.name for p in report.iterdir()) == ["audit-checkpoint.json"]  # the checkpoint is --resume's
