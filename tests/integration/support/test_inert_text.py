"""Script and HTML typed into any text field of the desk come back inert: a subject or a title is returned as
typed (the pages show it as text), a message's or saved reply's HTML is rendered and sanitized on the server
(no tag, attribute or URL that runs), and a mailed reply is plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from backend.bootstrap import Container
from backend.staff.roles import Role
from backend.support import tickets

from ..staff.conftest import Inbox
from .conftest import TICKET_LIMIT, StaffAs, mail_pass, open_ticket, verify_email

ATTACKS = (
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "![x](javascript:alert(1))",
)
SAFE_TAGS = {"p", "br", "strong", "em", "code", "pre", "a", "ul", "ol", "li", "blockquote"}


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _inert(html: str) -> bool:
    """No element outside the safe set, no event attribute, no link that is not http(s) or mailto."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag not in SAFE_TAGS or any(name.startswith("on") for name, _ in attrs):
            return False
        if any(name in ("href", "src") and not re.match(r"(https?:|mailto:)", value or "") for name, value in attrs):
            return False
    return True


def test_script_and_html_in_every_text_field_are_inert(
    user: TestClient, staff_as: StaffAs, inbox: tuple[Inbox, int], container: Container
) -> None:
    verify_email(user, inbox[0], "ada@example.com")
    mails_before = len(inbox[0].mails)
    desk = staff_as(Role.SUPPORT)
    subjects = _subjects()
    assert len(subjects) <= TICKET_LIMIT and "".join(subjects) == "".join(ATTACKS)
    ids = []
    for subject in subjects:
        opened = open_ticket(user, subject=subject, message=f"look: {subject}")
        assert opened.status_code == 201, opened.text
        assert opened.json()["ticket"]["subject"] == subject  # stored and returned as typed, shown as text
        ids.append(opened.json()["ticket"]["id"])
    ticket_id = ids[0]
    path = f"/v1/staff/support/tickets/{ticket_id}"
    for n, attack in enumerate(ATTACKS):
        assert user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": attack}).status_code == 201
        assert desk.post(f"{path}/messages", {"body": attack, "internal": True}).status_code == 201
        assert desk.post(f"{path}/messages", {"body": attack}).status_code == 201
        saved = desk.post("/v1/staff/support/saved-replies", {"title": f"{n} {attack}", "body": attack})
        assert saved.status_code == 201 and _inert(saved.json()["html"]), saved.json()["html"]
        assert saved.json()["title"] == f"{n} {attack}"
    views = [desk.get(f"/v1/staff/support/tickets/{i}").json() for i in ids]
    views += [user.get(f"/v1/support/tickets/{i}").json() for i in ids]
    bodies = {message["body"] for view in views for message in view["messages"]}
    assert set(ATTACKS) <= bodies  # kept as typed
    for view in views:
        for message in view["messages"]:
            assert _inert(message["html"]), message["html"]
    for listed in (user.get("/v1/support/tickets").json(), desk.get("/v1/staff/support/tickets").json()):
        assert {t["subject"] for t in listed["tickets"]} == set(subjects)
    first = desk.get(path).json()["messages"][1]["html"]
    assert first == '<p>&lt;script&gt;alert("x")&lt;/script&gt;</p>\n'  # shown as text, not dropped
    # the replies went out as plain-text mail: the text as typed, never HTML
    mail_pass(container)
    mails = inbox[0].mails[mails_before:]
    assert len(mails) == len(ATTACKS)
    payload = mails[0].get_payload(decode=True)
    assert isinstance(payload, bytes) and ATTACKS[0] in payload.decode()
    assert all(mail.get_content_type() == "text/plain" for mail in mails)


def _subjects() -> list[str]:
    """The attacks joined into as few one-line subjects of at most 200 characters as they fit in."""
    subjects = [""]
    for attack in ATTACKS:
        if len(subjects[-1]) + len(attack) > 200:
            subjects.append("")
        subjects[-1] += attack
    return subjects


def test_the_inertness_check_itself_catches_what_runs() -> None:
    for runnable in ("<script>x</script>", '<p onclick="x">a</p>', '<a href="javascript:x">a</a>', "<img src=x>"):
        assert not _inert(runnable)
    assert _inert('<p>&lt;script&gt; <a href="https://hdex.example" rel="noopener">ok</a></p>')


def test_a_ticket_is_read_without_rendering_its_messages_again(
    user: TestClient, staff_as: StaffAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered once, when written: a read that rendered every message let thirty replies of pathological Markdown
    make each read of the ticket cost seconds of CPU."""
    opened = open_ticket(user, subject="slow", message="**first**")
    ticket_id = opened.json()["ticket"]["id"]
    assert user.post(f"/v1/support/tickets/{ticket_id}/replies", json={"body": "_second_"}).status_code == 201
    desk = staff_as(Role.SUPPORT)

    def no_render(_: str) -> str:
        raise AssertionError("a read rendered Markdown")

    monkeypatch.setattr(tickets, "render", no_render)
    for view in (user.get(f"/v1/support/tickets/{ticket_id}").json(),
                 desk.get(f"/v1/staff/support/tickets/{ticket_id}").json()):  # fmt: skip
        assert [m["html"] for m in view["messages"]] == ["<p><strong>first</strong></p>\n", "<p><em>second</em></p>\n"]
