"""A ticket from opening to closing through the API, on SQLite and PostgreSQL: staff work it from the queue,
the user sees public replies (in the app and by mail at a verified address) and never an internal note,
replies reopen, refused moves are typed and change nothing, and times to first response and to resolution
are shown to both sides."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..staff.conftest import Inbox
from .conftest import USER, ClientFor, StaffAs, audit_actions, mail_pass, open_ticket, verify_email

NOTE_TEXT = "Internal: this wallet was flagged by AML last week, do not mention it"


def _text(mail: Message) -> str:
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_a_ticket_goes_from_open_to_closed_and_the_user_never_sees_an_internal_note(
    user: TestClient, staff_as: StaffAs, inbox: tuple[Inbox, int], container: Container
) -> None:
    box = inbox[0]
    verify_email(user, box, "ada@example.com")
    mails_before = len(box.mails)
    opened = open_ticket(user)
    assert opened.status_code == 201, opened.text
    ticket = opened.json()["ticket"]
    ticket_id = ticket["id"]
    assert (ticket["status"], ticket["category"], ticket["firstResponseMs"], ticket["resolutionMs"]) == (
        "open", "deposit", None, None,
    )  # fmt: skip
    assert opened.json()["messages"][0]["html"] == "<p>My <strong>USDC</strong> deposit is missing.</p>\n"

    desk = staff_as(Role.SUPPORT, "sam")
    queue = desk.get("/v1/staff/support/tickets", params={"status": "open"}).json()["tickets"]
    assert [t["id"] for t in queue] == [ticket_id] and queue[0]["address"] == wallet(USER)
    path = f"/v1/staff/support/tickets/{ticket_id}"
    assert desk.post(f"{path}/assign", {"assignee": desk.email}).json()["ticket"]["assignee"] == desk.email
    mine = desk.get("/v1/staff/support/tickets", params={"assignee": desk.email}).json()["tickets"]
    assert [t["id"] for t in mine] == [ticket_id]
    assert desk.get("/v1/staff/support/tickets", params={"assignee": "none"}).json()["tickets"] == []

    noted = desk.post(f"{path}/messages", {"body": NOTE_TEXT, "internal": True})
    assert noted.status_code == 201 and noted.json()["messages"][-1]["kind"] == "note"
    assert noted.json()["ticket"]["firstResponseAt"] is None  # a note is no response to the user
    assert len(box.mails) == mails_before  # nor is it mailed

    replied = desk.post(f"{path}/messages", {"body": "We see it: **12 confirmations** to go."})
    assert replied.status_code == 201
    staff_view = replied.json()
    assert [m["kind"] for m in staff_view["messages"]] == ["user", "note", "reply"]
    assert staff_view["ticket"]["firstResponseMs"] is not None
    mail_pass(container)
    mail = box.wait_for(mails_before + 1)
    assert mail["To"] == "ada@example.com" and f"#{ticket_id}" in mail["Subject"]
    assert "12 confirmations" in _text(mail) and NOTE_TEXT not in _text(mail)
    assert f"/support/{ticket_id}" in _text(mail)

    seen = user.get(f"/v1/support/tickets/{ticket_id}").json()
    assert [m["sender"] for m in seen["messages"]] == ["you", "support"]
    assert NOTE_TEXT not in user.get(f"/v1/support/tickets/{ticket_id}").text
    assert NOTE_TEXT not in user.get("/v1/support/tickets").text
    assert seen["messages"][1]["html"] == "<p>We see it: <strong>12 confirmations</strong> to go.</p>\n"
    assert "sam@hdex.example" not in user.get(f"/v1/support/tickets/{ticket_id}").text  # staff are "support"
    assert seen["ticket"]["firstResponseMs"] == staff_view["ticket"]["firstResponseMs"]

    assert desk.post(f"{path}/status", {"status": "waiting_for_user"}).json()["ticket"]["status"] == "waiting_for_user"
    reopened = user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "Still nothing."})
    assert reopened.status_code == 201 and reopened.json()["ticket"]["status"] == "open"

    resolved = desk.post(f"{path}/status", {"status": "resolved"}).json()["ticket"]
    assert resolved["status"] == "resolved" and resolved["resolutionMs"] is not None
    assert user.get(f"/v1/support/tickets/{ticket_id}").json()["ticket"]["resolutionMs"] == resolved["resolutionMs"]
    again = user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "It came, but short by 1 USDC."})
    assert again.json()["ticket"]["status"] == "open" and again.json()["ticket"]["resolutionMs"] is None

    closed = user.post(f"/v1/support/tickets/{ticket_id}/close")
    assert closed.status_code == 200 and closed.json()["ticket"]["status"] == "closed"
    assert closed.json()["ticket"]["resolutionMs"] is not None
    assert audit_actions(container, f"ticket:{ticket_id}") == [
        "ticket.assign", "ticket.note", "ticket.reply", "ticket.status", "ticket.status",
    ]  # fmt: skip


def test_a_public_reply_is_mailed_only_once_the_address_is_verified(
    user: TestClient, staff_as: StaffAs, inbox: tuple[Inbox, int], container: Container
) -> None:
    box = inbox[0]
    assert user.put("/v1/account/profile", json={"email": "ada@example.com"}).status_code == 200
    box.wait_for(1)  # the verification link, never followed
    unverified = len(box.mails)
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    path = f"/v1/staff/support/tickets/{ticket_id}/messages"
    assert desk.post(path, {"body": "We are looking into it."}).status_code == 201
    mail_pass(container)
    assert len(box.mails) == unverified  # no verified address when it was to go: none went

    verify_email(user, box, "ada@example.com")
    verified = len(box.mails)
    assert desk.post(path, {"body": "Found it."}).status_code == 201
    mail_pass(container)
    assert "Found it." in _text(box.wait_for(verified + 1))
    assert len(box.mails) == verified + 1  # the earlier reply stays unsent


@pytest.mark.parametrize(
    ("language", "subject", "opening"),
    [
        ("zh-CN", "HDEX 客服：工单 #{id}", "HDEX 客服回复了您的工单 #{id}："),  # noqa: RUF001 (full-width, as zh-CN)
        ("en", "HDEX support: ticket #{id}", "HDEX support answered your ticket #{id}:"),
    ],
)
def test_a_reply_is_mailed_in_the_language_of_the_wallets_e_mails(
    user: TestClient, staff_as: StaffAs, inbox: tuple[Inbox, int], container: Container, language: str,
    subject: str, opening: str,
) -> None:  # fmt: skip
    """Every other account e-mail followed the profile's language; a support reply stayed English."""
    box = inbox[0]
    verify_email(user, box, "ada@example.com")
    assert user.put("/v1/account/profile", json={"language": language}).status_code == 200
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    sent = len(box.mails)
    reply = staff_as(Role.SUPPORT).post(f"/v1/staff/support/tickets/{ticket_id}/messages", {"body": "Found it."})
    assert reply.status_code == 201

    mail_pass(container)

    mail = box.wait_for(sent + 1)
    assert str(make_header(decode_header(str(mail["Subject"])))) == subject.format(id=ticket_id)
    assert _text(mail).replace("\r\n", "\n").startswith(f"{opening.format(id=ticket_id)}\n\nFound it.\n")


def test_refused_moves_are_typed_and_change_nothing(user: TestClient, staff_as: StaffAs, container: Container) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    path = f"/v1/staff/support/tickets/{ticket_id}"
    before = desk.get(path).json()

    same = desk.post(f"{path}/status", {"status": "open"})
    assert same.status_code == 409 and same.json()["error"]["code"] == "TICKET_TRANSITION_INVALID"
    unknown = desk.post(f"{path}/status", {"status": "escalated"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "INVALID_FIELD"
    assert desk.get(path).json() == before

    # a text that would show as megabytes of HTML is refused naming the field it came in (the Markdown rules: markup)
    bomb = f"[a]: http://e.x/{'a' * 4_000}\n\n" + "[a] " * 1_400
    opened = open_ticket(user, message=bomb)
    assert (opened.status_code, opened.json()["error"]["field"]) == (422, "message"), opened.text
    reply = user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": bomb})
    assert (reply.status_code, reply.json()["error"]["field"]) == (422, "body"), reply.text
    assert desk.get(path).json() == before

    assert user.post(f"/v1/support/tickets/{ticket_id}/close").status_code == 200
    closed = desk.get(path).json()
    twice = user.post(f"/v1/support/tickets/{ticket_id}/close")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "TICKET_TRANSITION_INVALID"
    late = user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "one more thing"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "TICKET_CLOSED"
    for refused in (
        desk.post(f"{path}/messages", {"body": "answer"}),
        desk.post(f"{path}/messages", {"body": "note", "internal": True}),
        desk.post(f"{path}/assign", {"assignee": desk.email}),
        desk.post(f"{path}/status", {"status": "resolved"}),
    ):
        assert refused.status_code == 409, refused.text
    assert desk.get(path).json() == closed
    assert audit_actions(container, f"ticket:{ticket_id}") == []

    reopened = desk.post(f"{path}/status", {"status": "open"})  # staff may reopen a closed ticket
    assert reopened.status_code == 200 and reopened.json()["ticket"]["resolvedAt"] is None


def test_a_wallet_reads_and_changes_only_its_own_tickets(user: TestClient, other: TestClient) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    for response in (
        other.get(f"/v1/support/tickets/{ticket_id}"),
        other.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "mine now"}),
        other.post(f"/v1/support/tickets/{ticket_id}/close"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "TICKET_NOT_FOUND"
    assert other.get("/v1/support/tickets").json() == {"tickets": [], "next": None}
    assert user.get(f"/v1/support/tickets/{ticket_id}").json()["ticket"]["status"] == "open"
    assert len(user.get(f"/v1/support/tickets/{ticket_id}").json()["messages"]) == 1


def test_signed_out_callers_are_refused(client_for: ClientFor, user: TestClient) -> None:
    stranger = client_for("stranger")
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    for response in (
        stranger.get("/v1/support/tickets"),
        open_ticket(stranger),
        stranger.get(f"/v1/support/tickets/{ticket_id}"),
        stranger.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "hello"}),
        stranger.post(f"/v1/support/tickets/{ticket_id}/close"),
        stranger.get(f"/v1/support/tickets/{ticket_id}/attachments/1"),
    ):
        assert response.status_code == 401 and response.json()["error"]["code"] == "NOT_SIGNED_IN"
    staff_only = stranger.get("/v1/staff/support/tickets")
    assert staff_only.status_code == 401 and staff_only.json()["error"]["code"] == "STAFF_NOT_SIGNED_IN"
    assert user.get(f"/v1/support/tickets/{ticket_id}").json()["ticket"]["status"] == "open"


def test_queue_pages_newest_first_with_a_cursor(user: TestClient, staff_as: StaffAs) -> None:
    ids = [open_ticket(user, subject=f"question {n}").json()["ticket"]["id"] for n in range(3)]
    desk = staff_as(Role.SUPPORT)
    first = desk.get("/v1/staff/support/tickets", params={"limit": 2}).json()
    assert [t["id"] for t in first["tickets"]] == [ids[2], ids[1]] and first["next"] == str(ids[1])
    second = desk.get("/v1/staff/support/tickets", params={"limit": 2, "cursor": first["next"]}).json()
    assert [t["id"] for t in second["tickets"]] == [ids[0]] and second["next"] is None
    mine = user.get("/v1/support/tickets", params={"limit": 2}).json()
    assert [t["id"] for t in mine["tickets"]] == [ids[2], ids[1]]
    assert desk.get("/v1/staff/support/tickets", params={"category": "kyc"}).json()["tickets"] == []
    bad = desk.get("/v1/staff/support/tickets", params={"cursor": "abc"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"
