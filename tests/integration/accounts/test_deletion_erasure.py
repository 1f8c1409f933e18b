"""A deletion request also erases what the wallet wrote: its support tickets' subjects and messages become the
marker and its attachments go (staff's replies and notes stay), its forum threads' titles and posts become the
marker and leave the search index, and its behaviour events are deleted (a later rollup pass does not copy its
session back). Another wallet's data stays as it was; asking twice changes nothing more."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.accounts.levels import set_level
from backend.accounts.privacy import ERASED
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import AccountMail, StatsEvent
from backend.staff.roles import Role
from backend.stats.rollup import run_pass

from ..api.exchange_fixtures import wallet
from .conftest import OTHER, PNG, USER, ClientFor, StaffBrowser, signed_in_wallet, stored_files

SECRETS = ("quokkaline", "Quokka subject", "wombatword", "numbatnote")  # what USER wrote (OTHER also says "numbatnote")
ZERO = {
    "supportSubjects": 0, "supportMessages": 0, "supportAttachments": 0, "forumThreads": 0, "forumPosts": 0,
    "forumReports": 0, "behaviourEvents": 0,
}  # fmt: skip


def _open_ticket(client: TestClient, subject: str, message: str) -> dict[str, Any]:
    form = {"category": "deposit", "subject": subject, "message": message}
    files = {"attachment": ("screenshot.png", io.BytesIO(PNG), "image/png")}
    response = client.post("/v1/support/tickets", data=form, files=files)
    assert response.status_code == 201, response.text
    opened: dict[str, Any] = response.json()
    return opened


def _post(client: TestClient, path: str, body: dict[str, str]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _search(client_for: ClientFor, query: str) -> list[int]:
    response = client_for("anonymous").get("/v1/forum/search", params={"q": query})
    assert response.status_code == 200, response.text
    return [hit["post"]["id"] for hit in response.json()["results"]]


def _roll_up(container: Container) -> None:
    with container.uow() as uow:
        run_pass(uow.session, 0)
        uow.commit()


def _erased_counts(container: Container) -> list[Any]:
    """What each "account.deletion_request" entry says was erased, newest first."""
    with container.uow() as uow:
        entries = list_entries(uow.session, AuditFilter(action="account.deletion_request"), 10)
    return [entry.after["erased"] for entry in entries]


def test_a_deletion_erases_the_wallet_s_writing_attachments_and_events_and_nobody_else_s(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    opened = _open_ticket(user, "Quokka subject", "My quokkaline deposit is missing")
    ticket_id, [first] = opened["ticket"]["id"], opened["messages"]
    [attachment] = first["attachments"]
    _post(user, f"/v1/support/tickets/{ticket_id}/replies", {"body": "Still waiting, wombatword"})
    others_ticket = _open_ticket(other, "Other subject", "My deposit is late too")["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    staff_path = f"/v1/staff/support/tickets/{ticket_id}"
    assert desk.post(f"{staff_path}/messages", {"body": "Checked the chain", "internal": True}).status_code == 201
    assert desk.post(f"{staff_path}/messages", {"body": "It is credited now.", "internal": False}).status_code == 201

    made = _post(user, "/v1/forum/threads", {"category": "general", "title": "Quokka subject", "message": "numbatnote"})
    thread_id = made["thread"]["id"]
    reply_of_other = _post(other, f"/v1/forum/threads/{thread_id}/posts", {"message": "numbatnote, I agree"})
    others_thread = _post(other, "/v1/forum/threads", {"category": "general", "title": "Other", "message": "hi"})
    reply_of_user = _post(user, f"/v1/forum/threads/{others_thread['thread']['id']}/posts", {"message": "wombatword"})
    _post(user, f"/v1/forum/posts/{others_thread['post']['id']}/report", {"reason": "quokkaline spam"})
    assert _search(client_for, "numbatnote") == [reply_of_other["id"], made["post"]["id"]]
    for address in (wallet(USER), wallet(OTHER)):
        connected = {"event": "wallet_connected", "wallet": address}
        assert user.post("/v1/stats/events", json=connected).status_code == 200
    _roll_up(container)  # copies both sessions as sign-ins
    others_before = other.get("/v1/account/export").json()
    assert len(stored_files(container)) == 2

    assert user.post("/v1/account/deletion").status_code == 200
    _roll_up(container)  # USER's session from before the request is not copied back
    # Anyone may report a connection: none is kept for the erased wallet until it signs in again.
    reported = {"event": "wallet_connected", "wallet": wallet(USER)}
    assert other.post("/v1/stats/events", json=reported).json() == {"recorded": False}
    signed_in_wallet(user, USER)  # the request ended its sessions

    exported = user.get("/v1/account/export").json()
    assert not [secret for secret in SECRETS if secret in json.dumps(exported)]
    [ticket] = exported["supportTickets"]
    assert ticket["subject"] == ERASED
    assert [(m["kind"], m["body"]) for m in ticket["messages"]] == [
        ("user", ERASED), ("user", ERASED), ("reply", "It is credited now."),
    ]  # fmt: skip
    assert [t["title"] for t in exported["forumThreads"]] == [ERASED]
    assert [p["body_source"] for p in exported["forumPosts"]] == [ERASED, ERASED]
    assert [r["reason"] for r in exported["forumReports"]] == [ERASED]
    assert exported["behaviourEvents"] == []

    staff_view = desk.get(staff_path)
    assert staff_view.status_code == 200
    assert not [secret for secret in SECRETS if secret in staff_view.text]
    seen = staff_view.json()
    assert seen["ticket"]["subject"] == ERASED and seen["ticket"]["firstResponseAt"] is not None
    assert [(m["kind"], m["body"], m["attachments"]) for m in seen["messages"]] == [
        ("user", ERASED, []), ("user", ERASED, []), ("note", "Checked the chain", []),
        ("reply", "It is credited now.", []),
    ]  # fmt: skip
    download = desk.get(f"/v1/staff/support/attachments/{attachment['id']}")
    assert download.status_code == 404 and download.json()["error"]["code"] == "TICKET_ATTACHMENT_NOT_FOUND"
    assert len(stored_files(container)) == 1  # the other wallet's attachment
    others_attachment = desk.get(f"/v1/staff/support/tickets/{others_ticket}").json()["messages"][0]["attachments"]
    assert desk.get(f"/v1/staff/support/attachments/{others_attachment[0]['id']}").status_code == 200

    assert _search(client_for, "numbatnote") == [reply_of_other["id"]]  # the other wallet's post, same word
    assert _search(client_for, "wombatword") == [] and _search(client_for, "quokka") == []
    posts = client_for("anonymous").get(f"/v1/forum/threads/{thread_id}/posts").json()["posts"]
    assert [(p["id"], p["message"]) for p in posts] == [
        (made["post"]["id"], ERASED), (reply_of_other["id"], "numbatnote, I agree"),
    ]  # fmt: skip
    assert client_for("anonymous").get(f"/v1/forum/threads/{thread_id}").json()["title"] == ERASED
    assert reply_of_user["id"] in [p["id"] for p in exported["forumPosts"]]

    with container.uow() as uow:
        audit = json.dumps([e.after for e in list_entries(uow.session, AuditFilter(), 100)])
    assert not [secret for secret in SECRETS if secret in audit]
    assert _erased_counts(container) == [
        {**ZERO, "supportSubjects": 1, "supportMessages": 2, "supportAttachments": 1, "forumThreads": 1,
         "forumPosts": 2, "forumReports": 1, "behaviourEvents": 2},
    ]  # fmt: skip
    others_after = other.get("/v1/account/export").json()
    assert {key: others_after[key] for key in others_before if key != "exportedAt"} == {
        key: others_before[key] for key in others_before if key != "exportedAt"
    }
    assert {e["event"] for e in others_after["behaviourEvents"]} == {"wallet_connected", "signed_in"}


def test_a_second_deletion_request_erases_nothing_more(
    user: TestClient, client_for: ClientFor, container: Container
) -> None:
    _open_ticket(user, "Quokka subject", "quokkaline")
    _post(user, "/v1/forum/threads", {"category": "general", "title": "Quokka subject", "message": "numbatnote"})
    assert user.post("/v1/account/deletion").status_code == 200
    signed_in_wallet(user, USER)  # the request ended its sessions
    exported = user.get("/v1/account/export").json()

    assert user.post("/v1/account/deletion").status_code == 200
    signed_in_wallet(user, USER)
    again = user.get("/v1/account/export").json()
    assert {**again, "exportedAt": 0, "sessions": []} == {**exported, "exportedAt": 0, "sessions": []}
    assert len(again["sessions"]) == 1  # the one signed in after the second request
    assert _erased_counts(container)[0] == ZERO  # newest first
    assert _search(client_for, "numbatnote") == []


def test_a_wallet_that_signs_in_again_after_its_deletion_is_counted_again(
    user: TestClient, container: Container
) -> None:
    reported = {"event": "wallet_connected", "wallet": wallet(USER)}
    assert user.post("/v1/account/deletion").status_code == 200
    assert user.post("/v1/stats/events", json=reported).json() == {"recorded": False}
    signed_in_wallet(user, USER)  # back of its own accord: a session made after the request
    assert user.post("/v1/stats/events", json=reported).json() == {"recorded": True}
    assert [e["event"] for e in user.get("/v1/account/export").json()["behaviourEvents"]] == ["wallet_connected"]
    _roll_up(container)  # the new session copied as a sign-in
    assert user.post("/v1/auth/logout").status_code == 200  # its session deleted: the copy still says it came back
    with container.uow() as uow:  # as a new day would: today's report kept already, make room for another
        uow.session.query(StatsEvent).filter(StatsEvent.event == "wallet_connected").delete()
        uow.commit()
    assert user.post("/v1/stats/events", json=reported).json() == {"recorded": True}


def test_a_deletion_deletes_the_wallet_s_account_mail_whose_reply_subjects_name_the_ticket_by_number_only(
    user: TestClient, client_for: ClientFor, staff_as: Callable[[Role], StaffBrowser], container: Container
) -> None:
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    mine = _open_ticket(user, "Quokka subject", "quokkaline")["ticket"]["id"]
    others = _open_ticket(other, "Other subject", "late")["ticket"]["id"]
    desk = staff_as(Role.SUPPORT)
    for ticket in (mine, others):
        reply = {"body": "It is credited now.", "internal": False}
        assert desk.post(f"/v1/staff/support/tickets/{ticket}/messages", reply).status_code == 201
    assert _outbox(container) == [
        (wallet(USER), f"HDEX support: ticket #{mine}"), (wallet(OTHER), f"HDEX support: ticket #{others}"),
    ]  # fmt: skip

    assert user.post("/v1/account/deletion").status_code == 200

    assert _outbox(container) == [(wallet(OTHER), f"HDEX support: ticket #{others}")]


def test_the_audit_log_keeps_no_declared_country_past_a_deletion(user: TestClient, container: Container) -> None:
    with container.uow() as uow:
        set_level(uow.session, wallet(USER), 1, actor="staff:ann@hdex.example", now_ms=1)
        uow.commit()
    assert user.put("/v1/account/profile", json={"country": "KP"}).json()["level"] == 0
    assert user.post("/v1/account/deletion").status_code == 200
    with container.uow() as uow:
        logged = json.dumps([(e.before, e.after) for e in list_entries(uow.session, AuditFilter(), 100)])
    assert "declared a restricted country" in logged
    assert '"KP"' not in logged and "KP," not in logged and "declared KP" not in logged


def _outbox(container: Container) -> list[tuple[str, str]]:
    with container.uow() as uow:
        return [(m.wallet, m.subject) for m in uow.session.scalars(select(AccountMail).order_by(AccountMail.id))]
