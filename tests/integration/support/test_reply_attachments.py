"""A file attached to a reply, not only to the opening message: the wallet's reply and staff's public reply or
internal note take JSON as before or multipart/form-data with an optional attachment, checked as on opening
(size limit, type by content, typed errors); a refused one stores no message and no file; staff open it with
the view audit-logged; another wallet never reaches it; a note's attachment never reaches the wallet.

Here the plain body limit (HDEX_MAX_BODY_BYTES) is below the attachment limit, so every accepted attachment
also shows that the reply routes take the attachment's limit, as the opening route does."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.bootstrap import Container
from backend.db.models import AuditLogEntry
from backend.staff.roles import Role

from ..staff.conftest import Inbox, build_container
from .conftest import MAX_ATTACHMENT, PDF, PNG, TICKET_LIMIT, StaffAs, audit_actions, open_ticket, stored_files

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120  # a Windows executable, whatever it is called
PLAIN_BODY_LIMIT = 4096
SCREENSHOT = PNG + b"\x00" * (MAX_ATTACHMENT - len(PNG))  # a PNG at the limit, past the plain body limit


@pytest.fixture
def container(database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Container]:
    built = build_container(
        database_url, tmp_path, inbox[1], support_max_attachment_bytes=MAX_ATTACHMENT,
        support_ticket_limit=TICKET_LIMIT, max_body_bytes=PLAIN_BODY_LIMIT,
    )  # fmt: skip
    yield built
    built.db_engine.dispose()


def _replies(ticket_id: int) -> str:
    return f"/v1/support/tickets/{ticket_id}/replies"


def _reply(client: TestClient, ticket_id: int, body: str, attachment: tuple[str, bytes, str] | None) -> Any:
    """POST .../replies as the dApp does with a file picked: multipart/form-data."""
    files = {"attachment": attachment} if attachment is not None else {"attachment": ("", b"", "")}
    return client.post(_replies(ticket_id), data={"body": body}, files=files)


def _attachment(ticket_id: int, attachment_id: int) -> str:
    return f"/v1/support/tickets/{ticket_id}/attachments/{attachment_id}"


def _staff_answer(desk: Any, ticket_id: int, fields: dict[str, str], attachment: tuple[str, bytes, str]) -> Any:
    path = f"/v1/staff/support/tickets/{ticket_id}/messages"
    return desk.client.post(path, data=fields, files={"attachment": attachment}, headers={"X-CSRF-Token": desk.csrf})


def _messages(client: TestClient, ticket_id: int) -> list[Any]:
    messages: list[Any] = client.get(f"/v1/support/tickets/{ticket_id}").json()["messages"]
    return messages


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _audit_after(container: Container, ticket_id: int, action: str) -> list[Any]:
    with container.uow() as uow:
        query = select(AuditLogEntry.after).where(
            AuditLogEntry.target == f"ticket:{ticket_id}", AuditLogEntry.action == action
        )
        return [json.loads(after) for after in uow.session.scalars(query.order_by(AuditLogEntry.seq))]


def test_a_reply_with_an_attachment_is_stored_and_staff_open_it_with_the_view_audited(
    user: TestClient, staff_as: StaffAs, container: Container
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    assert desk.post(f"/v1/staff/support/tickets/{ticket_id}/status", {"status": "waiting_for_user"}).status_code == 200

    replied = _reply(user, ticket_id, "Here is the **transaction**.", ("tx.png", SCREENSHOT, "image/png"))
    assert replied.status_code == 201, replied.text
    assert replied.json()["ticket"]["status"] == "open"  # a reply with a file reopens as a reply without one
    reply = replied.json()["messages"][-1]
    assert (reply["sender"], reply["body"]) == ("you", "Here is the **transaction**.")
    [attachment] = reply["attachments"]
    assert (attachment["contentType"], attachment["size"]) == ("image/png", len(SCREENSHOT))
    assert _messages(user, ticket_id)[-1]["attachments"] == [attachment]  # shown on the reply, as on the first
    assert len(stored_files(container)) == 1

    own = user.get(_attachment(ticket_id, attachment["id"]))  # the wallet opens what it sent
    assert own.status_code == 200 and own.content == SCREENSHOT and own.headers["content-type"] == "image/png"
    assert own.headers["x-content-type-options"] == "nosniff" and own.headers["content-security-policy"] == "sandbox"
    download = desk.get(f"/v1/staff/support/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == SCREENSHOT
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    staff_view = desk.get(f"/v1/staff/support/tickets/{ticket_id}").json()
    assert staff_view["messages"][-1]["attachments"] == [attachment]
    assert audit_actions(container, f"ticket:{ticket_id}")[-1] == "ticket.attachment_view"


def test_a_form_without_a_file_is_a_reply_without_an_attachment(user: TestClient, container: Container) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    replied = _reply(user, ticket_id, "No file this time", None)  # a form's empty file input
    assert replied.status_code == 201, replied.text
    assert replied.json()["messages"][-1]["attachments"] == [] and stored_files(container) == []


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (EXE, 415, "UPLOAD_TYPE_REFUSED"),
        (b"<html><script>alert(1)</script></html>", 415, "UPLOAD_TYPE_REFUSED"),
        (SCREENSHOT + b"\x00", 413, "UPLOAD_TOO_LARGE"),
    ],
    ids=["an executable named .png", "html named .png", "one byte too many"],
)
def test_a_refused_reply_attachment_stores_no_message_and_no_file(
    user: TestClient, container: Container, data: bytes, status: int, code: str
) -> None:
    ticket_id = open_ticket(user, attachment=("first.pdf", PDF, "application/pdf")).json()["ticket"]["id"]
    before = user.get(f"/v1/support/tickets/{ticket_id}").json()
    files_before = stored_files(container)

    refused = _reply(user, ticket_id, "see the file", ("transaction.png", data, "image/png"))
    assert refused.status_code == status and refused.json()["error"] == {
        "code": code, "message": refused.json()["error"]["message"], "field": "attachment",
    }  # fmt: skip
    assert user.get(f"/v1/support/tickets/{ticket_id}").json() == before
    assert stored_files(container) == files_before


def test_a_reply_body_far_past_the_attachment_limit_is_refused_before_it_is_read(
    user: TestClient, container: Container
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    huge = _reply(user, ticket_id, "big", ("big.png", SCREENSHOT + b"\x00" * (256 * 1024), "image/png"))
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "BODY_TOO_LARGE"
    assert len(_messages(user, ticket_id)) == 1 and stored_files(container) == []


TWO_FILES = [("attachment", ("a.png", PNG, "image/png")), ("attachment", ("b.png", PNG, "image/png"))]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "field"),
    [
        ({"data": {"body": "hi"}, "files": {"attachment": (None, "not a file")}}, 422, "attachment"),
        ({"data": {"body": "hi", "text": "x"}, "files": {"attachment": ("a.png", PNG, "image/png")}}, 422, "text"),
        ({"files": {"attachment": ("a.png", PNG, "image/png")}}, 422, "body"),
        ({"data": {"body": "hi"}, "files": TWO_FILES}, 400, None),
        ({"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data"}}, 400, None),
    ],
    ids=["attachment as text", "unknown field", "no body", "two files", "no boundary"],
)
def test_a_malformed_multipart_reply_is_refused_with_a_typed_error_and_stores_nothing(
    user: TestClient, container: Container, request_kwargs: dict[str, Any], status: int, field: str | None
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    refused = user.post(_replies(ticket_id), **request_kwargs)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == "INVALID_FIELD" and refused.json()["error"]["field"] == field
    assert len(_messages(user, ticket_id)) == 1 and stored_files(container) == []


JSON_REPLIES = [
    # (body, content-type, status, error code, error field): as FastAPI answered before replies took files, but
    # for a urlencoded form, taken as opening a ticket takes it (FastAPI's `Form()` reads both kinds of form), and a
    # refused `body` field named as such (the error handler dropped every "body" from a field's path)
    (b'{"body": "hi"}', "application/json", 201, None, None),
    (b'{"body": "hi"}', "application/json; charset=utf-8", 201, None, None),
    (b'{"body": "hi"}', "application/ld+json", 201, None, None),
    (b"", "application/json", 422, "INVALID_FIELD", None),
    (b'{"body": "hi"}', None, 422, "INVALID_FIELD", None),
    (b'{"body": "hi"}', "text/plain", 422, "INVALID_FIELD", None),
    (b"body=hi", "application/x-www-form-urlencoded", 201, None, None),
    (b"{", "application/json", 400, "MALFORMED_JSON", None),
    (b"null", "application/json", 422, "INVALID_FIELD", None),
    (b"[]", "application/json", 422, "INVALID_FIELD", None),
    (b"{}", "application/json", 422, "INVALID_FIELD", "body"),
    (b'{"body": 5}', "application/json", 422, "INVALID_FIELD", "body"),
    (b'{"body": "a", "x": 1}', "application/json", 422, "INVALID_FIELD", "x"),
    (b'{"body": " "}', "application/json", 422, "INVALID_FIELD", "body"),  # the field the reply sends
    (json.dumps({"body": "x" * 10_001}).encode(), "application/json", 422, "INVALID_FIELD", "body"),
]


@pytest.mark.parametrize(("raw", "content_type", "status", "code", "field"), JSON_REPLIES)
def test_a_json_reply_is_read_and_refused_as_before(
    user: TestClient, raw: bytes, content_type: str | None, status: int, code: str | None, field: str | None
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    headers = {} if content_type is None else {"content-type": content_type}
    answered = user.post(_replies(ticket_id), content=raw, headers=headers)
    assert answered.status_code == status, answered.text
    if code is None:
        assert answered.json()["messages"][-1] | {"id": 0, "createdAt": 0} == {
            "id": 0, "sender": "you", "body": "hi", "html": "<p>hi</p>\n", "createdAt": 0, "attachments": [],
        }  # fmt: skip
    else:
        assert answered.json()["error"]["code"] == code and answered.json()["error"]["field"] == field
        assert len(_messages(user, ticket_id)) == 1


def test_another_wallet_never_reaches_a_reply_attachment(
    user: TestClient, other: TestClient, staff_as: StaffAs, container: Container
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    mine = _reply(user, ticket_id, "my statement", ("statement.pdf", PDF, "application/pdf"))
    attachment_id = mine.json()["messages"][-1]["attachments"][0]["id"]

    for refused in (
        other.get(f"/v1/support/tickets/{ticket_id}"),
        _reply(other, ticket_id, "mine now", ("x.png", PNG, "image/png")),
    ):
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "TICKET_NOT_FOUND"
    staff_only = other.get(f"/v1/staff/support/attachments/{attachment_id}")
    assert staff_only.status_code == 401 and staff_only.json()["error"]["code"] == "STAFF_NOT_SIGNED_IN"
    through_the_ticket = other.get(_attachment(ticket_id, attachment_id))
    assert through_the_ticket.status_code == 404 and through_the_ticket.json()["error"]["code"] == "TICKET_NOT_FOUND"
    its_own_ticket = open_ticket(other).json()["ticket"]["id"]  # a file id is not reachable through any ticket
    through_its_own = other.get(_attachment(its_own_ticket, attachment_id))
    assert through_its_own.status_code == 404
    assert through_its_own.json()["error"] == {
        "code": "TICKET_ATTACHMENT_NOT_FOUND", "message": f"there is no attachment {attachment_id}",
        "field": "attachmentId",
    }  # fmt: skip
    assert user.get(_attachment(ticket_id, attachment_id)).content == PDF  # while its wallet opens it
    assert len(stored_files(container)) == 1  # the other wallet's file was never stored
    assert len(_messages(user, ticket_id)) == 2
    assert audit_actions(container, f"ticket:{ticket_id}") == []  # nobody opened the file


def test_staff_attach_a_file_to_a_public_reply_and_to_a_note_and_only_the_reply_reaches_the_wallet(
    user: TestClient, staff_as: StaffAs, container: Container
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    replied = _staff_answer(desk, ticket_id, {"body": "Our receipt attached."}, ("receipt.pdf", PDF, "x/y"))
    assert replied.status_code == 201, replied.text
    [public] = replied.json()["messages"][-1]["attachments"]
    noted = _staff_answer(
        desk, ticket_id, {"body": "AML screenshot", "internal": "true"}, ("aml.png", PNG, "image/png")
    )
    assert noted.status_code == 201, noted.text
    assert noted.json()["messages"][-1]["kind"] == "note"
    [note_file] = noted.json()["messages"][-1]["attachments"]
    assert len(stored_files(container)) == 2

    seen = user.get(f"/v1/support/tickets/{ticket_id}")
    assert [m["sender"] for m in seen.json()["messages"]] == ["you", "support"]
    assert seen.json()["messages"][1]["attachments"] == [public] and public["contentType"] == "application/pdf"
    assert [a["id"] for m in seen.json()["messages"] for a in m["attachments"]] == [public["id"]]
    assert desk.get(f"/v1/staff/support/attachments/{note_file['id']}").content == PNG
    audited = audit_actions(container, f"ticket:{ticket_id}")
    opened = user.get(_attachment(ticket_id, public["id"]))  # the wallet opens support's file...
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"] == f'inline; filename="ticket-{ticket_id}-{public["id"]}.pdf"'
    hidden = user.get(_attachment(ticket_id, note_file["id"]))  # ...and never a note's, as if it did not exist
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "TICKET_ATTACHMENT_NOT_FOUND"
    assert audit_actions(container, f"ticket:{ticket_id}") == audited  # a wallet reading its own is not audited
    # the audit entries name the file each message carries
    [reply_entry] = _audit_after(container, ticket_id, "ticket.reply")
    [note_entry] = _audit_after(container, ticket_id, "ticket.note")
    assert reply_entry["attachment"] == {"contentType": "application/pdf", "size": len(PDF), "sha256": _sha256(PDF)}
    assert note_entry["attachment"] == {"contentType": "image/png", "size": len(PNG), "sha256": _sha256(PNG)}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [(EXE, 415, "UPLOAD_TYPE_REFUSED"), (SCREENSHOT + b"\x00", 413, "UPLOAD_TOO_LARGE")],
    ids=["an executable named .png", "one byte too many"],
)
def test_a_refused_staff_attachment_stores_no_message_no_file_and_no_audit_entry(
    user: TestClient, staff_as: StaffAs, container: Container, data: bytes, status: int, code: str
) -> None:
    ticket_id = open_ticket(user).json()["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    before = desk.get(f"/v1/staff/support/tickets/{ticket_id}").json()
    for fields in ({"body": "see file"}, {"body": "see file", "internal": "true"}):
        refused = _staff_answer(desk, ticket_id, fields, ("shot.png", data, "image/png"))
        assert refused.status_code == status and refused.json()["error"]["code"] == code
        assert refused.json()["error"]["field"] == "attachment"
    assert desk.get(f"/v1/staff/support/tickets/{ticket_id}").json() == before
    assert stored_files(container) == [] and audit_actions(container, f"ticket:{ticket_id}") == []
