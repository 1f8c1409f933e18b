"""The audit report: a JSON document, a self-contained HTML page beside it, and a summary for the terminal."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from auditor.page import render_html
from auditor.run import AuditResult

JSON_FILE = "audit-report.json"
HTML_FILE = "audit-report.html"


def report_json(result: AuditResult) -> dict[str, Any]:
    """The report as JSON data (amounts as decimal strings of base units)."""
    state = result.state
    return {
        "ok": result.ok,
        "chain_id": result.chain_id,
        "exchange": result.exchange,
        "from_block": result.from_block,
        "to_block": result.to_block,
        "resumed_from": result.resumed_from,
        "counts": state.counts,
        "discrepancies": len(result.discrepancies),
        "findings": [asdict(f) for f in result.findings],
        "balances": [
            {"wallet": b.wallet, "token": b.token, "rebuilt": str(b.rebuilt), "contract": str(b.contract)}
            for b in result.balances
        ],
        "solvency": [
            {
                "token": s.token,
                "held": str(s.held),
                "owed_rebuilt": str(s.owed_rebuilt),
                "owed_contract": str(s.owed_contract),
                "solvent": s.solvent,
            }
            for s in result.solvency
        ],
        "series": [
            {
                "block": p.block,
                "owed": {t: str(a) for t, a in p.owed.items()},
                "volume": {t: str(a) for t, a in p.volume.items()},
            }
            for p in state.series
        ],
    }


def write_report(result: AuditResult, report_dir: Path) -> tuple[Path, Path]:
    """Writes the JSON and HTML reports into `report_dir`; returns their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = report_dir / JSON_FILE, report_dir / HTML_FILE
    json_path.write_text(json.dumps(report_json(result), indent=1), encoding="utf-8")
    html_path.write_text(render_html(result), encoding="utf-8")
    return json_path, html_path


def remove_report(report_dir: Path) -> None:
    """Delete the reports a run before left in `report_dir` (the checkpoint stays)."""
    for name in (JSON_FILE, HTML_FILE):
        (report_dir / name).unlink(missing_ok=True)


def summary(result: AuditResult) -> str:
    """A few lines for the terminal: the range, what was checked, and every discrepancy."""
    counts = result.state.counts
    lines = [
        f"audit of {result.exchange} on chain {result.chain_id}, blocks {result.from_block}..{result.to_block}"
        + (f" (resumed at {result.resumed_from})" if result.resumed_from is not None else ""),
        f"  events {counts.get('events', 0)}, settlements {counts.get('settlements', 0)}, "
        f"trades verified {counts.get('trades_verified', 0)} "
        f"(skipped by the contract {counts.get('trades_skipped', 0)}), "
        f"withdrawals verified {counts.get('withdrawals_verified', 0)}",
        f"  balances compared {len(result.balances)}, tokens checked for solvency {len(result.solvency)}",
    ]
    notes = [f for f in result.findings if not f.failing]
    if notes:
        lines.append(f"  notes {len(notes)}: " + ", ".join(sorted({f.kind for f in notes})))
    discrepancies = result.discrepancies
    lines.append(f"DISCREPANCIES: {len(discrepancies)}" if discrepancies else "OK: no discrepancy")
    lines += [f"  [{f.kind}] block {f.block} {f.tx_hash or ''}: {f.message}" for f in discrepancies[:50]]
    if len(discrepancies) > 50:
        lines.append(f"  ... and {len(discrepancies) - 50} more (see the report)")
    return "\n".join(lines)
