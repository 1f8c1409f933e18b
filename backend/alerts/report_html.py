"""The case report as one self-contained, printable HTML page (pure: report JSON in, text out).

Every value from the report is escaped (notes, messages and details are typed by people or derived from user
activity); the page loads nothing (no script, no font, no image) and carries its own print CSS. HDEX has no
PDF library: the PDF for a regulator is the browser's "print to PDF" of this page, as the page says.
"""

from __future__ import annotations

import json
import time
from html import escape
from typing import Any

CSS = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; margin: 2rem auto; max-width: 60rem; }
h1 { font-size: 18pt; margin-bottom: 0.2rem; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: 0.4rem 0; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; font-size: 9.5pt; }
th { background: #eee; } pre { white-space: pre-wrap; word-break: break-word; margin: 0; font-size: 8.5pt; }
.meta { color: #444; font-size: 9.5pt; } .note { white-space: pre-wrap; }
@media print {
  body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr, .keep { break-inside: avoid; }
  .screen-only { display: none; }
  @page { size: A4; margin: 18mm 15mm; }
}
"""


def render_report_html(report: dict[str, Any]) -> str:
    """The report (from `export_case_report`) as an HTML document."""
    case = report["case"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>HDEX case {_e(case['id'])}: {_e(case['title'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Case {_e(case['id'])}: {_e(case['title'])}</h1>",
        f'<p class="meta">Generated {_time(report["generatedAt"])} by {_e(report["generatedBy"])}; report version '
        f"{_e(report['reportVersion'])}.</p>",
        '<p class="meta screen-only">For a PDF, print this page to PDF (the browser\'s Print, then "Save as '
        'PDF"): HDEX renders the report as this page only.</p>',
        "<h2>Case</h2>",
        _pairs(
            [
                ("Status", _e(case["status"])),
                ("Subject", _e(case["subject"] or "-")),
                ("Assignee", _e(case["assignee"] or "-")),
                ("Close reason", _e(case["closeReason"] or "-")),
                ("Opened by", _e(case["createdBy"])),
                ("Opened", _time(case["createdAt"])),
                ("Last change", _time(case["updatedAt"])),
            ]
        ),
        _wallet(report.get("wallet")),
        f"<h2>Alerts ({len(report['alerts'])})</h2>",
        _table(
            ["#", "Kind", "Severity", "Subject", "Message", "Raised", "Seen", "Details"],
            [
                [
                    _e(a["id"]),
                    _e(a["kind"]),
                    _e(a["severity"]),
                    _e(a["subject"] or "-"),
                    _e(a["message"]),
                    _time(a["createdAt"]),
                    _e(a["occurrences"]) + " times, last " + _time(a["lastSeenAt"]),
                    _json(a["details"]),
                ]
                for a in report["alerts"]
            ],
        ),
        f"<h2>Notes ({len(report['notes'])})</h2>",
        *(
            f'<div class="keep"><p class="meta">{_time(n["createdAt"])}, {_e(n["author"])}</p>'
            f'<p class="note">{_e(n["body"])}</p></div>'
            for n in report["notes"]
        ),
        "<h2>Audit log</h2>",
        _table(
            ["Seq", "When", "Who", "Action", "Target", "Before", "After", "From"],
            [
                [
                    _e(x["seq"]),
                    _time(x["at"]),
                    _e(x["actor"]),
                    _e(x["action"]),
                    _e(x["target"] or "-"),
                    _json(x["before"]),
                    _json(x["after"]),
                    _e(x["ip"] or "-"),
                ]
                for x in report["auditLog"]
            ],
        ),
        '<p class="meta">Each audit-log entry is hash-chained to the one before; <code>hdex audit-log verify</code> '
        "checks the chain.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _time(ms: int | None) -> str:
    if ms is None:
        return "-"
    return _e(time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000)))


def _json(value: Any) -> str:
    if value is None:
        return "-"
    return f"<pre>{_e(json.dumps(value, indent=1, sort_keys=True, default=str))}</pre>"


def _pairs(rows: list[tuple[str, str]]) -> str:
    """A two-column table of names and already escaped values."""
    cells = "".join(f"<tr><th>{_e(name)}</th><td>{value}</td></tr>" for name, value in rows)
    return f"<table>{cells}</table>"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table of already escaped cells."""
    if not rows:
        return '<p class="meta">None.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _wallet(wallet: dict[str, Any] | None) -> str:
    if wallet is None:
        return ""
    balances = _table(
        ["Token", "Balance (base units)"], [[_e(b["token"]), _e(b["amount"])] for b in wallet["balances"]]
    )
    return (
        "<h2>Subject wallet</h2>"
        + _pairs([("Address", _e(wallet["address"])), ("KYC level", _e(wallet["kycLevel"]))])
        + balances
    )
