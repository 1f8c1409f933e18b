"""Alerts and cases through the staff API: who may read and who may change them, a case from alerts to
closed with an assignee and notes, each step in the audit log, the regulator's report, and the live stream
of new alerts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils.address import to_checksum_address
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.alerts import AlertKind, Severity, raise_alert
from backend.api.app import create_app
from backend.audit_log import AuditEntry, AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import Alert, Case, LedgerBalance
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..conftest import free_port
from ..staff.conftest import build_container
from .conftest import STAFF_IP, Desk, desk

WALLET = to_checksum_address("0x" + "ab" * 20)
SUBJECT = f"wallet:{WALLET}"
EVIL = "<script>alert('x')</script>"


@dataclass(frozen=True)
class BackOffice:
    """One API over one database for the whole module (staff sign-ins hash passwords: slow), with staff of
    each role signed in. Tests raise alerts of their own, so they do not see each other's."""

    container: Container
    client: TestClient
    ann: Desk  # compliance
    bob: Desk  # compliance
    auditor: Desk
    support: Desk


@pytest.fixture(scope="module")
def office(migrated_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackOffice]:
    folder = tmp_path_factory.mktemp("back-office")
    shutil.copyfile(migrated_sqlite_file, folder / "hdex.db")
    container = build_container(f"sqlite:///{folder / 'hdex.db'}", folder, free_port(), alert_stream_poll_s=0.02)
    with TestClient(create_app(container), client=(STAFF_IP, 50000)) as client:
        yield BackOffice(
            container, client, desk(client, container, Role.COMPLIANCE, "ann@hdex.example"),
            desk(client, container, Role.COMPLIANCE, "bob@hdex.example"), desk(client, container, Role.AUDITOR),
            desk(client, container, Role.SUPPORT),
        )  # fmt: skip
    container.db_engine.dispose()


def raise_aml(container: Container, kind: AlertKind = AlertKind.STRUCTURING, subject: str = SUBJECT) -> int:
    with container.uow() as uow:
        row = raise_alert(
            uow.session, kind, Severity.WARNING, f"{kind.value} on {subject}", subject=subject,
            details={"withdrawals": 4, "total": "39000000000"},
        )  # fmt: skip
        assert row is not None
        uow.commit()
        return row.id


def audit(container: Container, action: str, target: str) -> list[AuditEntry]:
    """The audit log's entries of `action` about `target`, oldest first."""
    with container.uow() as uow:
        entries = list_entries(uow.session, AuditFilter(action=action), 1000)
    return [e for e in reversed(entries) if e.target == target]


def state(container: Container) -> dict[str, Any]:
    with container.uow() as uow:
        return {
            "audit": [e.seq for e in list_entries(uow.session, AuditFilter(), 1000)],
            "alerts": [(a.id, a.status, a.case_id) for a in uow.session.scalars(select(Alert))],
            "cases": [(c.id, c.status, c.assignee) for c in uow.session.scalars(select(Case))],
        }


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def open_case(office: BackOffice, alert_ids: list[int], title: str = "t") -> int:
    opened = office.client.post("/v1/staff/cases", json={"alertIds": alert_ids, "title": title},
                                headers=office.ann.headers)  # fmt: skip
    assert opened.status_code == 201, opened.text
    case_id: int = opened.json()["id"]
    return case_id


def test_support_may_not_see_alerts_and_an_auditor_reads_but_changes_nothing(office: BackOffice) -> None:
    client, support, auditor = office.client, office.support, office.auditor
    subject = "wallet:0x" + "01" * 20
    alert_id = raise_aml(office.container, subject=subject)
    case_id = open_case(office, [alert_id])
    other = raise_aml(office.container, AlertKind.VELOCITY, subject)
    before = state(office.container)

    for path in ("/v1/staff/alerts", "/v1/staff/cases", f"/v1/staff/cases/{case_id}",
                 f"/v1/staff/cases/{case_id}/report", "/v1/staff/alerts/stream"):  # fmt: skip
        assert error(client.get(path, headers=support.headers)) == (403, "STAFF_FORBIDDEN"), path
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/v1/staff/cases", {"alertIds": [other], "title": "t"}),
        (f"/v1/staff/alerts/{other}/close", {"reason": "noise"}),
        (f"/v1/staff/cases/{case_id}/assign", {"assignee": office.ann.email}),
        (f"/v1/staff/cases/{case_id}/notes", {"body": "n"}),
        (f"/v1/staff/cases/{case_id}/status", {"status": "investigating"}),
    ]
    for path, body in writes:
        for member in (support, auditor):
            assert error(client.post(path, json=body, headers=member.headers)) == (403, "STAFF_FORBIDDEN"), path
    no_csrf = {"Cookie": office.ann.headers["Cookie"]}
    refused = client.post(f"/v1/staff/alerts/{other}/close", json={"reason": "noise"}, headers=no_csrf)
    assert error(refused) == (403, "STAFF_CSRF_FAILED")
    assert state(office.container) == before

    listed = client.get(f"/v1/staff/alerts?subject={subject}", headers=auditor.headers)
    assert [a["id"] for a in listed.json()["alerts"]] == [other, alert_id]
    assert client.get(f"/v1/staff/cases/{case_id}", headers=auditor.headers).status_code == 200


def test_a_case_goes_from_alerts_to_closed_with_an_assignee_and_notes_each_step_audit_logged(
    office: BackOffice,
) -> None:
    client, ann, bob, container = office.client, office.ann, office.bob, office.container
    first, second = raise_aml(container), raise_aml(container, AlertKind.RAPID_IN_OUT)
    opened = client.post("/v1/staff/cases", json={"alertIds": [second, first], "title": "Structuring?"},
                         headers=ann.headers)  # fmt: skip
    assert opened.status_code == 201, opened.text
    case = opened.json()
    case_id = case["id"]
    assert {k: v for k, v in case.items() if k not in ("id", "createdAt", "updatedAt")} == {
        "title": "Structuring?", "subject": SUBJECT, "status": "open", "assignee": None, "closeReason": None,
        "createdBy": "staff:ann@hdex.example", "alertIds": [first, second],
    }  # fmt: skip
    path = f"/v1/staff/cases/{case_id}"
    refused = client.post(f"{path}/assign", json={"assignee": office.support.email}, headers=ann.headers)
    assert error(refused) == (422, "INVALID_FIELD")  # support may not manage cases
    assigned = client.post(f"{path}/assign", json={"assignee": "Bob@HDEX.example"}, headers=ann.headers)
    assert assigned.json()["assignee"] == "bob@hdex.example"
    note = client.post(f"{path}/notes", json={"body": "four withdrawals of 9,750 USDC"}, headers=bob.headers)
    assert note.status_code == 201 and note.json()["author"] == "staff:bob@hdex.example"

    for status in ("investigating", "escalated"):
        moved = client.post(f"{path}/status", json={"status": status}, headers=bob.headers)
        assert moved.json()["status"] == status, moved.text
    unreasoned = client.post(f"{path}/status", json={"status": "closed"}, headers=bob.headers)
    assert error(unreasoned) == (409, "CASE_TRANSITION_INVALID")
    closed = client.post(f"{path}/status", json={"status": "closed", "reason": "SAR filed"}, headers=bob.headers)
    assert (closed.json()["status"], closed.json()["closeReason"]) == ("closed", "SAR filed")
    late = client.post(f"{path}/notes", json={"body": "late"}, headers=bob.headers)
    assert error(late) == (409, "CASE_TRANSITION_INVALID")
    backwards = client.post(f"{path}/status", json={"status": "escalated"}, headers=bob.headers)
    assert error(backwards) == (409, "CASE_TRANSITION_INVALID")

    detail = client.get(path, headers=ann.headers).json()
    assert detail["case"]["status"] == "closed"
    assert [(a["id"], a["status"], a["caseId"]) for a in detail["alerts"]] == [
        (first, "closed", case_id), (second, "closed", case_id),
    ]  # fmt: skip
    assert [(n["author"], n["body"]) for n in detail["notes"]] == [
        ("staff:bob@hdex.example", "four withdrawals of 9,750 USDC")
    ]

    target = f"case:{case_id}"
    [open_entry] = audit(container, "case.open", target)
    assert (open_entry.actor, open_entry.ip, open_entry.after["alertIds"]) == (
        "staff:ann@hdex.example", STAFF_IP, [first, second],
    )  # fmt: skip
    [assign] = audit(container, "case.assign", target)
    assert (assign.before, assign.after) == ({"assignee": None}, {"assignee": "bob@hdex.example"})
    [noted] = audit(container, "case.note", target)
    assert (noted.actor, noted.after["body"]) == ("staff:bob@hdex.example", "four withdrawals of 9,750 USDC")
    moves = [
        (e.before["status"], e.after["status"], e.after["reason"]) for e in audit(container, "case.status", target)
    ]
    assert moves == [
        ("open", "investigating", None), ("investigating", "escalated", None), ("escalated", "closed", "SAR filed"),
    ]  # fmt: skip

    reopened = client.post(f"{path}/status", json={"status": "open", "reason": "new deposits"}, headers=ann.headers)
    assert (reopened.json()["status"], reopened.json()["closeReason"]) == ("open", None)
    assert {a["status"] for a in client.get(path, headers=ann.headers).json()["alerts"]} == {"acknowledged"}
    listed = client.get("/v1/staff/cases?status=open&assignee=bob@hdex.example", headers=ann.headers).json()
    assert [c["id"] for c in listed["cases"]] == [case_id] and listed["next"] is None


def test_unknown_alerts_and_cases_and_alerts_already_taken_are_refused_and_change_nothing(
    office: BackOffice,
) -> None:
    client, ann, container = office.client, office.ann, office.container
    taken, loose = raise_aml(container), raise_aml(container, AlertKind.VELOCITY)
    open_case(office, [taken])
    before = state(container)
    cases = "/v1/staff/cases"
    assert error(client.post(cases, json={"alertIds": [loose, 99_999], "title": "t"}, headers=ann.headers)) == (
        404, "ALERT_NOT_FOUND",
    )  # fmt: skip
    assert error(client.post(cases, json={"alertIds": [loose, taken], "title": "t"}, headers=ann.headers)) == (
        409, "CASE_TRANSITION_INVALID",
    )  # fmt: skip
    assert error(client.get(f"{cases}/99999", headers=ann.headers)) == (404, "CASE_NOT_FOUND")
    assert error(client.post(f"{cases}/99999/notes", json={"body": "n"}, headers=ann.headers)) == (
        404, "CASE_NOT_FOUND",
    )  # fmt: skip
    assert error(client.post(f"/v1/staff/alerts/{taken}/close", json={"reason": "r"}, headers=ann.headers)) == (
        409, "CASE_TRANSITION_INVALID",
    )  # fmt: skip
    assert error(client.post("/v1/staff/alerts/99999/close", json={"reason": "r"}, headers=ann.headers)) == (
        404, "ALERT_NOT_FOUND",
    )  # fmt: skip
    assert state(container) == before

    closed = client.post(f"/v1/staff/alerts/{loose}/close", json={"reason": "known market maker"}, headers=ann.headers)
    assert (closed.json()["id"], closed.json()["status"]) == (loose, "closed")
    [entry] = audit(container, "alert.close", f"alert:{loose}")
    assert (entry.before, entry.after) == ({"status": "open"}, {"status": "closed", "reason": "known market maker"})
    again = client.post(f"/v1/staff/alerts/{loose}/close", json={"reason": "r"}, headers=ann.headers)
    assert error(again) == (409, "CASE_TRANSITION_INVALID")


def test_the_alert_list_filters_and_pages_newest_first(office: BackOffice) -> None:
    subject = "wallet:0x" + "02" * 20
    kinds = (AlertKind.VELOCITY, AlertKind.STRUCTURING, AlertKind.VELOCITY)
    ids = [raise_aml(office.container, kind, subject) for kind in kinds]
    raise_aml(office.container, AlertKind.VELOCITY, "wallet:0x" + "03" * 20)
    client, reader = office.client, office.auditor
    query = f"/v1/staff/alerts?kind=aml.velocity&subject={subject}&limit=1"
    first = client.get(query, headers=reader.headers).json()
    assert [a["id"] for a in first["alerts"]] == [ids[2]]
    rest = client.get(f"{query}&cursor={first['next']}", headers=reader.headers).json()
    assert [a["id"] for a in rest["alerts"]] == [ids[0]]
    [alert] = rest["alerts"]
    assert set(alert) == {"id", "kind", "severity", "subject", "message", "details", "status", "caseId",
                          "occurrences", "createdAt", "lastSeenAt"}  # fmt: skip
    assert error(client.get("/v1/staff/alerts?severity=urgent", headers=reader.headers)) == (422, "INVALID_FIELD")


def test_the_report_holds_the_case_its_alerts_notes_audit_trail_and_wallet_and_escapes_notes_in_html(
    office: BackOffice,
) -> None:
    client, ann, auditor, container = office.client, office.ann, office.auditor, office.container
    alert_id = raise_aml(container)
    with container.uow() as uow:
        uow.session.add(LedgerBalance(account=WALLET, token="0x" + "cd" * 20, amount=39_000_000_000))
        uow.commit()
    case_id = open_case(office, [alert_id], "Structuring")
    client.post(f"/v1/staff/cases/{case_id}/notes", json={"body": EVIL}, headers=ann.headers)
    client.post(f"/v1/staff/cases/{case_id}/status", json={"status": "escalated"}, headers=ann.headers)

    report = client.get(f"/v1/staff/cases/{case_id}/report", headers=auditor.headers)
    assert report.status_code == 200 and report.headers["content-type"] == "application/json"
    body = report.json()
    assert body["case"]["status"] == "escalated" and body["generatedBy"] == "staff:auditor@hdex.example"
    assert [a["details"] for a in body["alerts"]] == [{"withdrawals": 4, "total": "39000000000"}]
    assert [n["body"] for n in body["notes"]] == [EVIL]
    assert [e["action"] for e in body["auditLog"]] == ["case.open", "case.note", "case.status", "case.export"]
    assert body["wallet"] == {"address": WALLET, "kycLevel": 0,
                              "balances": [{"token": "0x" + "cd" * 20, "amount": "39000000000"}]}  # fmt: skip

    page = client.get(f"/v1/staff/cases/{case_id}/report?format=html", headers=auditor.headers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert EVIL not in page.text and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page.text
    assert "print this page to PDF" in page.text
    exports = audit(container, "case.export", f"case:{case_id}")
    assert [(e.actor, e.after["format"]) for e in exports] == [
        ("staff:auditor@hdex.example", "json"), ("staff:auditor@hdex.example", "html"),
    ]  # fmt: skip


def next_alert_event(lines: Iterator[str]) -> dict[str, str]:
    """The fields of the next `alert` event of a server-sent event stream (comments and pings skipped)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if event.get("event") == "alert":
                return event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            event[name] = value
    raise AssertionError("the stream ended without an alert")


@pytest.mark.timeout(20)  # the bound on reading the event: a stream that never sends fails here
def test_the_stream_sends_an_alert_raised_after_it_opened_and_not_the_ones_before(office: BackOffice) -> None:
    raise_aml(office.container)  # before the stream: not sent
    with office.client.stream("GET", "/v1/staff/alerts/stream", headers=office.auditor.headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == "retry: 3000"  # the stream is open and its cursor set
        fresh = raise_aml(office.container, AlertKind.WASH_TRADING)
        event = next_alert_event(lines)
    assert event["id"] == str(fresh)
    sent = json.loads(event["data"])
    assert (sent["id"], sent["kind"], sent["subject"], sent["status"]) == (fresh, "aml.wash_trading", SUBJECT, "open")


@pytest.mark.timeout(20)  # a stream that never sends fails here
@pytest.mark.parametrize("last_event_id", ["99999999999999999999", "12ab"], ids=["past-any-alert-id", "not-digits"])
def test_a_last_event_id_that_names_no_alert_streams_from_now(office: BackOffice, last_event_id: str) -> None:
    """An id past any 32-bit alert id waited for alerts that can never come (on PostgreSQL it failed the query;
    the header's other non-ids, as "²", are `backend.api.routes.staff_alerts._alert_id`'s unit test)."""
    raise_aml(office.container)  # before the stream: not sent
    headers = {**office.auditor.headers, "Last-Event-ID": last_event_id}
    with office.client.stream("GET", "/v1/staff/alerts/stream", headers=headers) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines) == "retry: 3000"
        fresh = raise_aml(office.container, AlertKind.WASH_TRADING)
        assert next_alert_event(lines)["id"] == str(fresh)


@pytest.mark.timeout(20)  # a stream that outlives its member's right to it never ends: fails here
@pytest.mark.parametrize("revoke", ["role", "disable", "sign-out"])
def test_an_open_stream_ends_once_its_member_may_no_longer_read_alerts_and_sends_nothing_after(
    office: BackOffice, revoke: str
) -> None:
    eve = desk(office.client, office.container, Role.AUDITOR, f"eve-{revoke}@hdex.example")
    admin = Actor("staff:admin@hdex.example", STAFF_IP)
    accounts = StaffAccounts(office.container)
    with office.client.stream("GET", "/v1/staff/alerts/stream", headers=eve.headers) as stream:
        lines = stream.iter_lines()
        assert next(lines) == "retry: 3000"
        member = accounts.find_by_email(eve.email)
        if revoke == "role":
            accounts.change_role(member.id, Role.SUPPORT, admin, "moved to support")
        elif revoke == "disable":
            accounts.disable(member.id, admin, "left")
        else:
            assert office.client.post("/v1/staff/auth/logout", headers=eve.headers).status_code == 200
        raise_aml(office.container, AlertKind.WASH_TRADING)
        rest = list(lines)  # ends: the server closed the stream
    assert not [line for line in rest if line.startswith(("event:", "data:"))]


def test_the_case_assignees_are_the_active_staff_who_may_manage_cases_and_only_they_may_read_them(
    office: BackOffice,
) -> None:
    client = office.client
    listed = client.get("/v1/staff/cases/assignees", headers=office.ann.headers)
    assert listed.status_code == 200
    assert listed.json() == {"assignees": [office.ann.email, office.bob.email]}  # not the auditor nor support
    for member in (office.auditor, office.support):
        assert error(client.get("/v1/staff/cases/assignees", headers=member.headers)) == (403, "STAFF_FORBIDDEN")
