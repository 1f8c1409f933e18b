"""The back office's side of the desk: only a role holding support.manage reaches it (403 for the others,
whatever the page shows), saved replies are kept and changed with every change audit-logged, an assignee
must be staff who may answer tickets, and the statistics count what happened per day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.staff.roles import Role
from backend.support.desk import SupportDesk

from ..api.exchange_fixtures import wallet
from .conftest import OTHER, USER, StaffAs, audit_actions, open_ticket

HOUR_MS = 3_600_000
DAY = dt.date(2026, 3, 2)
DAY_MS = int(dt.datetime.combine(DAY, dt.time(), dt.UTC).timestamp() * 1000)


def _staff_requests(ticket_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = "/v1/staff/support"
    return [
        ("GET", f"{base}/tickets", None),
        ("GET", f"{base}/tickets/{ticket_id}", None),
        ("POST", f"{base}/tickets/{ticket_id}/assign", {"assignee": None}),
        ("POST", f"{base}/tickets/{ticket_id}/messages", {"body": "hello"}),
        ("POST", f"{base}/tickets/{ticket_id}/status", {"status": "resolved"}),
        ("GET", f"{base}/attachments/1", None),
        ("GET", f"{base}/assignees", None),
        ("GET", f"{base}/saved-replies", None),
        ("POST", f"{base}/saved-replies", {"title": "t", "body": "b"}),
        ("PUT", f"{base}/saved-replies/1", {"title": "t", "body": "b"}),
        ("DELETE", f"{base}/saved-replies/1", None),
        ("GET", f"{base}/stats", None),
    ]


@pytest.mark.parametrize("role", [Role.COMPLIANCE, Role.AUDITOR])
def test_a_role_without_support_manage_is_refused_every_support_route(
    user: TestClient, staff_as: StaffAs, container: Container, role: Role
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    outsider = staff_as(role)
    for method, path, body in _staff_requests(ticket_id):
        response = outsider.client.request(method, path, json=body, headers={"X-CSRF-Token": outsider.csrf})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "STAFF_FORBIDDEN"
    assert user.get(f"/v1/support/tickets/{ticket_id}").json()["ticket"]["status"] == "open"
    assert audit_actions(container, f"ticket:{ticket_id}") == []


def test_support_and_admin_reach_the_desk_and_a_change_needs_the_csrf_token(
    user: TestClient, staff_as: StaffAs
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    for role in (Role.SUPPORT, Role.ADMIN):
        assert staff_as(role).get(f"/v1/staff/support/tickets/{ticket_id}").status_code == 200
    desk = staff_as(Role.SUPPORT, "second")
    forged = desk.client.post(f"/v1/staff/support/tickets/{ticket_id}/messages", json={"body": "hi"})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "STAFF_CSRF_FAILED"
    assert len(desk.get(f"/v1/staff/support/tickets/{ticket_id}").json()["messages"]) == 1


def test_only_active_staff_who_may_answer_tickets_are_assignees(user: TestClient, staff_as: StaffAs) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    staff_as(Role.COMPLIANCE)
    admin = staff_as(Role.ADMIN)
    assert desk.get("/v1/staff/support/assignees").json() == {"assignees": [desk.email, admin.email]}
    path = f"/v1/staff/support/tickets/{ticket_id}/assign"
    for nobody in ("compliance@hdex.example", "ghost@hdex.example"):
        refused = desk.post(path, {"assignee": nobody})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "assignee"
    assert desk.post(path, {"assignee": admin.email.upper()}).json()["ticket"]["assignee"] == admin.email
    assert desk.post(path, {"assignee": None}).json()["ticket"]["assignee"] is None


def test_saved_replies_are_created_changed_used_and_deleted_with_each_change_audited(
    staff_as: StaffAs, container: Container
) -> None:
    desk = staff_as(Role.SUPPORT)
    base = "/v1/staff/support/saved-replies"
    created = desk.post(base, {"title": "Deposit delay", "body": "Deposits need **12** confirmations."})
    assert created.status_code == 201
    reply = created.json()
    assert reply["html"] == "<p>Deposits need <strong>12</strong> confirmations.</p>\n"
    taken = desk.post(base, {"title": "Deposit delay", "body": "again"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "SAVED_REPLY_TITLE_TAKEN"
    desk.post(base, {"title": "Another", "body": "x"})
    assert desk.put(f"{base}/{reply['id']}", {"title": "Another", "body": "x"}).status_code == 409
    changed = desk.put(f"{base}/{reply['id']}", {"title": "Deposit delay", "body": "Deposits need 20 blocks."})
    assert changed.status_code == 200 and changed.json()["body"] == "Deposits need 20 blocks."
    assert [r["title"] for r in desk.get(base).json()["savedReplies"]] == ["Another", "Deposit delay"]
    assert desk.delete(f"{base}/{reply['id']}").json() == {"id": reply["id"], "deleted": True}
    gone = desk.delete(f"{base}/{reply['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "SAVED_REPLY_NOT_FOUND"
    assert desk.put(f"{base}/{reply['id']}", {"title": "t", "body": "b"}).status_code == 404
    for bad in (
        {"title": "", "body": "b"},
        {"title": "t", "body": " "},
        {"title": "a\nb", "body": "b"},
        {"title": "t"},
    ):
        assert desk.post(base, bad).status_code == 422, bad
    assert [r["title"] for r in desk.get(base).json()["savedReplies"]] == ["Another"]
    assert audit_actions(container, f"saved_reply:{reply['id']}") == [
        "saved_reply.create", "saved_reply.update", "saved_reply.delete",
    ]  # fmt: skip


def test_statistics_count_each_day_with_median_times(container: Container, staff_as: StaffAs) -> None:
    now = [DAY_MS + 9 * HOUR_MS]
    desk = SupportDesk(container, clock=lambda: now[0])
    a = desk.open_ticket(wallet(USER), "deposit", "a", "first").ticket.id
    b = desk.open_ticket(wallet(OTHER), "trading", "b", "second").ticket.id
    c = desk.open_ticket(wallet(OTHER), "kyc", "c", "third").ticket.id
    now[0] += HOUR_MS
    desk.answer(a, "note", True, "staff:s@hdex.example", None, "http://x")  # a note is no response
    now[0] += HOUR_MS  # a answered after 2 h
    desk.answer(a, "reply", False, "staff:s@hdex.example", None, "http://x")
    # the desk itself leaves notes out of a wallet's view (the route filters them a second time)
    assert [m.kind for m in desk.my_ticket(wallet(USER), a).messages] == ["user", "reply"]
    assert [m.kind for m in desk.ticket(a).messages] == ["user", "note", "reply"]
    now[0] += 2 * HOUR_MS  # b answered after 4 h
    desk.answer(b, "reply", False, "staff:s@hdex.example", None, "http://x")
    desk.set_status(a, "resolved", "staff:s@hdex.example", None)  # a resolved after 4 h
    now[0] = DAY_MS + 30 * HOUR_MS  # the next day: b resolved after 21 h, c closed by its user after 21 h
    desk.set_status(b, "resolved", "staff:s@hdex.example", None)
    desk.close(wallet(OTHER), c)
    desk.set_status(b, "closed", "staff:s@hdex.example", None)  # resolved, then closed: resolved at the first

    support = staff_as(Role.SUPPORT)
    days = support.get("/v1/staff/support/stats", params={"from": "2026-03-01", "to": "2026-03-03"}).json()["days"]
    assert days == [
        {"day": "2026-03-01", "opened": 0, "resolved": 0, "medianFirstResponseMs": None, "medianResolutionMs": None},
        {"day": "2026-03-02", "opened": 3, "resolved": 1, "medianFirstResponseMs": 3 * HOUR_MS,
         "medianResolutionMs": 4 * HOUR_MS},
        {"day": "2026-03-03", "opened": 0, "resolved": 2, "medianFirstResponseMs": None,
         "medianResolutionMs": 21 * HOUR_MS},
    ]  # fmt: skip
    staff_view = support.get(f"/v1/staff/support/tickets/{a}").json()["ticket"]
    assert (staff_view["firstResponseMs"], staff_view["resolutionMs"]) == (2 * HOUR_MS, 4 * HOUR_MS)
    for params in ({"from": "2026-03-04", "to": "2026-03-03"}, {"from": "2025-01-01", "to": "2026-03-03"},
                   {"from": "yesterday"}, {"to": "0001-01-01"}):  # fmt: skip
        refused = support.get("/v1/staff/support/stats", params=params)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "INVALID_FIELD", params
    assert len(support.get("/v1/staff/support/stats").json()["days"]) == 30
