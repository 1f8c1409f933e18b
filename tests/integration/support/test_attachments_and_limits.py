"""What a ticket may carry and how many a wallet may open: an attachment is a PNG, JPEG or PDF by its bytes
and within the size limit, staff open it with every view audit-logged; a flood of tickets or of replies is refused
with a typed 429; bad input is refused with a typed error; every refusal stores nothing (no row, no file)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.api.ratelimit import parse_limits
from backend.bootstrap import Container
from backend.db.locks import lock_wallet
from backend.db.models import SupportMessage, SupportTicket
from backend.staff.roles import Role
from backend.support import saved_replies, tickets
from backend.support.desk import SupportDesk

from ..staff.conftest import Inbox, build_container, outcome_behind_locks
from .conftest import (
    MAX_ATTACHMENT,
    MESSAGE_LIMIT,
    PDF,
    PNG,
    TICKET_LIMIT,
    StaffAs,
    audit_actions,
    open_ticket,
    stored_files,
)

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120  # a Windows executable, whatever it is called


def _my_tickets(client: TestClient) -> list[Any]:
    tickets: list[Any] = client.get("/v1/support/tickets").json()["tickets"]
    return tickets


def test_a_png_or_pdf_attachment_is_stored_and_staff_open_it_with_the_view_audited(
    user: TestClient, staff_as: StaffAs, container: Container
) -> None:
    opened = open_ticket(user, attachment=("screenshot.png", PNG, "image/png"))
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["ticket"]["id"]
    [attachment] = opened.json()["messages"][0]["attachments"]
    assert (attachment["contentType"], attachment["size"]) == ("image/png", len(PNG))
    # a PDF sent as "image/png" named .png is stored as what its bytes are
    pdf = open_ticket(user, subject="statement", attachment=("bank.png", PDF, "image/png")).json()
    assert pdf["messages"][0]["attachments"][0]["contentType"] == "application/pdf"
    assert len(stored_files(container)) == 2

    desk = staff_as(Role.SUPPORT)
    download = desk.get(f"/v1/staff/support/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert audit_actions(container, f"ticket:{ticket_id}") == ["ticket.attachment_view"]
    missing = desk.get("/v1/staff/support/attachments/99999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "TICKET_ATTACHMENT_NOT_FOUND"
    assert user.get(f"/v1/staff/support/attachments/{attachment['id']}").status_code == 401


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (EXE, 415, "UPLOAD_TYPE_REFUSED"),
        (b"<script>alert(1)</script>", 415, "UPLOAD_TYPE_REFUSED"),
        (PNG + b"\x00" * MAX_ATTACHMENT, 413, "UPLOAD_TOO_LARGE"),
    ],
    ids=["an executable named .png", "html", "one byte too many"],
)
def test_a_refused_attachment_stores_no_ticket_and_no_file(
    user: TestClient, container: Container, data: bytes, status: int, code: str
) -> None:
    refused = open_ticket(user, attachment=("photo.png", data, "image/png"))
    assert refused.status_code == status and refused.json()["error"] == {
        "code": code, "message": refused.json()["error"]["message"], "field": "attachment",
    }  # fmt: skip
    assert _my_tickets(user) == [] and stored_files(container) == []


def test_a_body_far_past_the_limit_is_refused_before_it_is_read(user: TestClient, container: Container) -> None:
    huge = open_ticket(user, attachment=("big.png", PNG + b"\x00" * (MAX_ATTACHMENT + 256 * 1024), "image/png"))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "BODY_TOO_LARGE"
    assert _my_tickets(user) == [] and stored_files(container) == []


def test_a_flood_of_tickets_is_refused_with_a_typed_429_per_wallet(user: TestClient, other: TestClient) -> None:
    for n in range(TICKET_LIMIT):
        assert open_ticket(user, subject=f"question {n}").status_code == 201
    refused = open_ticket(user, subject="one too many")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "TICKET_LIMIT_REACHED"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert len(_my_tickets(user)) == TICKET_LIMIT
    assert open_ticket(other).status_code == 201  # the limit is the wallet's, not everyone's


def test_a_flood_of_replies_is_refused_with_a_typed_429_per_wallet_and_stores_nothing(
    user: TestClient, other: TestClient, container: Container
) -> None:
    """Opening a ticket is limited, and so is every message after it: each may carry an attachment."""
    ticket = open_ticket(user).json()["ticket"]["id"]
    for n in range(MESSAGE_LIMIT - 1):  # the first message was the ticket's own
        assert user.post(f"/v1/support/tickets/{ticket}/replies", json={"body": f"more {n}"}).status_code == 201
    before = stored_files(container), user.get(f"/v1/support/tickets/{ticket}").json()
    refused = user.post(
        f"/v1/support/tickets/{ticket}/replies", data={"body": "x"}, files={"attachment": ("a.png", PNG, "image/png")}
    )
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "TICKET_MESSAGE_LIMIT_REACHED"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert open_ticket(user, subject="a new one").json()["error"]["code"] == "TICKET_MESSAGE_LIMIT_REACHED"
    assert (stored_files(container), user.get(f"/v1/support/tickets/{ticket}").json()) == before
    assert open_ticket(other).status_code == 201  # the limit is the wallet's, not everyone's


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "lottery"}, "category"),
        ({"subject": ""}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"subject": "line one\nBcc: victim@example.com"}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"message": ""}, "message"),
        ({"message": "   \n  "}, "message"),
        ({"message": "m" * 10_001}, "message"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
    user: TestClient, fields: dict[str, str], field: str
) -> None:
    values = {"category": "account", "subject": "Locked out", "message": "Help", **fields}
    refused = open_ticket(user, subject=values["subject"], message=values["message"], category=values["category"])
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "INVALID_FIELD" and refused.json()["error"]["field"] == field
    assert _my_tickets(user) == []


def test_missing_fields_and_bad_replies_are_refused(user: TestClient) -> None:
    missing = user.post("/v1/support/tickets", data={"category": "account", "subject": "no message"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "message"
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    for body in ({"body": ""}, {"body": " "}, {"text": "hi"}, {"body": "x" * 10_001}):
        refused = user.post(f"/v1/support/tickets/{ticket_id}/replies", json=body)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "INVALID_FIELD", body
    bad_id = user.get("/v1/support/tickets/abc")
    assert bad_id.status_code == 422 and bad_id.json()["error"]["field"] == "ticketId"
    assert len(user.get(f"/v1/support/tickets/{ticket_id}").json()["messages"]) == 1


def test_two_tickets_of_one_wallet_at_once_never_both_pass_the_limit(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """PostgreSQL, READ COMMITTED: a count of the wallet's tickets taken without a lock lets two opens at once
    (each seeing one ticket short of the limit) both commit. The first is held open, not committed; the second
    must wait for the wallet's lock, then see it and refuse."""
    container = build_container(postgres_url, tmp_path, inbox[1], support_ticket_limit=1)
    address = "0x" + "ab" * 20
    try:
        with container.session_factory() as held:  # the first open, begun and not committed
            lock_wallet(held, "support", address)
            tickets.open_ticket(held, address, "deposit", "first", "one", now_ms=int(time.time() * 1000))
            held.flush()
            outcome = outcome_behind_locks(
                container, held, lambda: SupportDesk(container).open_ticket(address, "deposit", "second", "two")
            )
        assert outcome == "TICKET_LIMIT_REACHED"
        with container.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(SupportTicket)) == 1
    finally:
        container.db_engine.dispose()


def test_a_staff_reply_racing_a_close_waits_for_it_and_is_refused(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """PostgreSQL, READ COMMITTED: a reply that read the ticket's status before a close committed passed the check
    on "open", and landed on the closed ticket (and was mailed). The close is held open, not committed; the reply
    must wait for the ticket's lock, then see it closed and refuse."""
    container = build_container(postgres_url, tmp_path, inbox[1])
    address = "0x" + "ab" * 20
    try:
        with container.uow() as uow:
            ticket, _ = tickets.open_ticket(uow.session, address, "deposit", "help", "one", now_ms=1)
            uow.commit()
        desk = SupportDesk(container)
        with container.session_factory() as held:  # staff close it: begun, not committed
            closing = tickets.ticket_of(held, ticket.id, for_change=True)
            tickets.change_status(held, closing, "closed", actor="staff:a@hdex.example", ip=None, now_ms=2)
            held.flush()
            outcome = outcome_behind_locks(
                container, held, lambda: desk.answer(ticket.id, "hi", False, "staff:b@hdex.example", None, "http://x")
            )
        assert outcome == "TICKET_CLOSED"
        with container.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(SupportMessage)) == 1
    finally:
        container.db_engine.dispose()


def test_attachments_past_the_ip_upload_limit_are_refused_and_text_still_goes_through(
    app: FastAPI, user: TestClient, container: Container
) -> None:
    """Wallets cost nothing, and each may attach a file to every message: the per-IP upload limit bounds what one
    client can make the document store hold. Only messages with a file count."""
    app.state.limiter.scoped_limits["support_upload"] = parse_limits("2/hour")
    ticket_id = open_ticket(user, attachment=("a.png", PNG, "image/png")).json()["ticket"]["id"]
    path = f"/v1/support/tickets/{ticket_id}/replies"
    pdf = {"attachment": ("b.pdf", PDF, "application/pdf")}
    assert user.post(path, data={"body": "and this"}, files=pdf).status_code == 201
    refused = user.post(path, data={"body": "one more"}, files={"attachment": ("c.png", PNG, "image/png")})
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert open_ticket(user, subject="again", attachment=("d.png", PNG, "image/png")).status_code == 429
    assert user.post(path, json={"body": "words only"}).status_code == 201
    assert len(stored_files(container)) == 2


def test_two_saved_replies_given_one_title_at_once_keep_one_and_refuse_the_other_with_409(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """PostgreSQL: both looked for the title before either committed; the second's insert then broke the unique
    index, a 500. The first is held open, not committed; the second waits for it, then is refused as taken."""
    container = build_container(postgres_url, tmp_path, inbox[1])
    try:

        def second() -> None:
            with container.uow() as uow:
                saved_replies.create_saved_reply(uow.session, "Refunds", "b", actor="staff:b@x.io", ip=None, now_ms=2)
                uow.commit()

        with container.session_factory() as held:
            saved_replies.create_saved_reply(held, "Refunds", "a", actor="staff:a@x.io", ip=None, now_ms=1)
            outcome = outcome_behind_locks(container, held, second)
        assert outcome == "SAVED_REPLY_TITLE_TAKEN"
    finally:
        container.db_engine.dispose()
