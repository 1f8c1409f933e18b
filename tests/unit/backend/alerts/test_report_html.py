"""The printable case report escapes everything it shows and loads nothing."""

from __future__ import annotations

from typing import Any

from backend.alerts.report_html import render_report_html

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def report(note: str, text: str = EVIL) -> dict[str, Any]:
    return {
        "reportVersion": 1,
        "generatedAt": 1_800_000_000_000,
        "generatedBy": "staff:ann@hdex.example",
        "case": {
            "id": 3, "title": f"Title {text}", "subject": "wallet:0xabc", "status": "escalated", "assignee": None,
            "closeReason": None, "createdBy": "staff:ann@hdex.example", "createdAt": 1_800_000_000_000,
            "updatedAt": 1_800_000_000_000, "alertIds": [1],
        },
        "alerts": [
            {
                "id": 1, "kind": "aml.structuring", "severity": "warning", "subject": "wallet:0xabc",
                "message": text, "details": {"note": text}, "status": "acknowledged", "caseId": 3, "occurrences": 2,
                "createdAt": 1_800_000_000_000, "lastSeenAt": None,
            }
        ],
        "notes": [{"id": 1, "author": "staff:ann@hdex.example", "body": note, "createdAt": 1_800_000_000_000}],
        "auditLog": [
            {
                "seq": 9, "at": 1_800_000_000_000, "actor": "staff:ann@hdex.example", "action": "case.note",
                "target": "case:3", "before": None, "after": {"body": note}, "ip": "203.0.113.7", "hash": "ab",
            }
        ],
        "wallet": {"address": "0xabc", "kycLevel": 1, "balances": [{"token": "0xdef", "amount": "5"}]},
    }  # fmt: skip


def test_no_markup_from_the_case_survives_into_the_page() -> None:
    page = render_report_html(report(EVIL))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "onerror=alert(1)&gt;" in page
    assert page.count("&lt;script&gt;") >= 5  # title twice, message, details, note, audit entry


def test_the_page_is_self_contained_and_printable() -> None:
    page = render_report_html(report("plain note", "plain text"))
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "src=" not in page and "href=" not in page and "<link" not in page
    assert "print this page to PDF" in page
    assert "2027-01-15 08:00:00 UTC" in page  # times in UTC words, not epoch numbers
    assert "KYC level" in page and "plain note" in page
