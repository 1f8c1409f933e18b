"""Announcements: shown exactly in their window (by a clock passed in), through the public API and the Atom
feed; published, changed and withdrawn by staff who hold announcements.manage, each change audit-logged;
refused requests change nothing; markup typed into any field stays inert."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from backend.announcements import Draft, change, current, feed_entries, publish, withdraw
from backend.bootstrap import Container
from backend.db.models import Announcement
from backend.errors import ErrorCode, HdexError
from backend.notices.compose import news_words

from ..conftest import free_port
from ..staff.conftest import build_container
from .conftest import EVIL, Office, assert_inert, audit, content_state, error

ATOM = "{http://www.w3.org/2005/Atom}"
HOUR = 3_600_000
ACTOR = "staff:desk@hdex.example"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def draft(title: str = "Maintenance", start: int = 1_000, end: int = 2_000, **fields: Any) -> Draft:
    values: dict[str, Any] = {"body": "The **exchange** pauses.", "severity": "info", "placement": "banner"} | fields
    return Draft(title, values["body"], values["severity"], values["placement"], start, end)


def body(title: str = "Maintenance", start: int | None = None, end: int | None = None, **fields: Any) -> dict[str, Any]:
    now = now_ms()
    return {
        "title": title, "body": "We **upgrade** the engine.", "severity": "warning", "placement": "banner",
        "startsAt": now - HOUR if start is None else start, "endsAt": now + HOUR if end is None else end,
    } | fields  # fmt: skip


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Any:
    built = build_container(database_url, tmp_path, free_port())
    yield built
    built.db_engine.dispose()


def test_an_announcement_shows_from_its_start_until_just_before_its_end_and_never_once_withdrawn(
    container: Container,
) -> None:
    with container.uow() as uow:
        first = publish(uow.session, draft("first", 1_000, 2_000), actor=ACTOR, ip=None, now_ms=500)
        later = publish(uow.session, draft("later", 1_500, 3_000), actor=ACTOR, ip=None, now_ms=500)
        gone = publish(uow.session, draft("gone", 1_000, 3_000), actor=ACTOR, ip=None, now_ms=500)
        withdraw(uow.session, gone.id, actor=ACTOR, ip=None, now_ms=600)
        uow.commit()

    def shown(at: int) -> list[str]:
        with container.uow() as uow:
            return [view.title for view in current(uow.session, at)]

    assert shown(999) == []  # not before its start
    assert shown(1_000) == ["first"]  # from its start
    assert shown(1_500) == ["later", "first"]  # newest start first
    assert shown(1_999) == ["later", "first"]
    assert shown(2_000) == ["later"]  # not at its end
    assert shown(3_000) == []
    with container.uow() as uow:
        assert first.status(999) == "scheduled" and first.status(1_000) == "live" and first.status(2_000) == "ended"
        assert [v.title for v in feed_entries(uow.session, 2_500)] == ["later", "first"]  # started, not withdrawn
        assert feed_entries(uow.session, 999) == []
    assert later.id != first.id


def test_moving_the_end_into_the_past_ends_an_announcement_and_a_withdrawn_one_cannot_change(
    container: Container,
) -> None:
    with container.uow() as uow:
        view = publish(uow.session, draft(start=1_000, end=9_000), actor=ACTOR, ip=None, now_ms=900)
        uow.commit()
    with container.uow() as uow:
        change(uow.session, view.id, draft(start=1_000, end=1_200), actor=ACTOR, ip=None, now_ms=1_300)
        withdraw(uow.session, view.id, actor=ACTOR, ip=None, now_ms=1_400)
        uow.commit()
    with container.uow() as uow:
        assert current(uow.session, 1_100) == []  # withdrawn: not even inside its window
        with pytest.raises(HdexError) as refused:
            change(uow.session, view.id, draft(start=1_000, end=9_000), actor=ACTOR, ip=None, now_ms=1_500)
        assert refused.value.code is ErrorCode.ANNOUNCEMENT_WITHDRAWN


def test_staff_publish_change_and_withdraw_and_the_public_sees_only_the_current_ones(office: Office) -> None:
    client, support, container = office.client, office.support, office.container
    now = now_ms()
    live = client.post("/v1/staff/announcements", json=body("Live now"), headers=support.headers)
    assert live.status_code == 201, live.text
    future = client.post("/v1/staff/announcements", json=body("Next week", now + 7 * 24 * HOUR, now + 8 * 24 * HOUR),
                         headers=support.headers)  # fmt: skip
    past = client.post("/v1/staff/announcements", json=body("Yesterday", now - 48 * HOUR, now - 24 * HOUR),
                       headers=support.headers)  # fmt: skip
    assert (live.json()["status"], future.json()["status"], past.json()["status"]) == ("live", "scheduled", "ended")
    live_id = live.json()["id"]

    shown = client.get("/v1/announcements")
    assert shown.headers["cache-control"] == "no-cache"
    assert [a["id"] for a in shown.json()["announcements"]] == [live_id]
    assert shown.json()["announcements"][0]["bodyHtml"] == "<p>We <strong>upgrade</strong> the engine.</p>\n"

    past_end = now_ms() - 1
    ended = client.put(f"/v1/staff/announcements/{live_id}", json=body("Live now", end=past_end),
                       headers=support.headers)  # fmt: skip
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    assert client.get("/v1/announcements").json()["announcements"] == []

    again = client.put(f"/v1/staff/announcements/{live_id}", json=body("Live again", placement="dialog"),
                       headers=support.headers)  # fmt: skip
    assert [(a["title"], a["placement"]) for a in client.get("/v1/announcements").json()["announcements"]] == [
        ("Live again", "dialog")
    ]
    withdrawn = client.post(f"/v1/staff/announcements/{live_id}/withdraw", headers=support.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawnBy"] == f"staff:{support.email}"
    assert client.get("/v1/announcements").json()["announcements"] == []
    listed = client.get("/v1/staff/announcements", headers=support.headers).json()["announcements"]
    assert [a["id"] for a in listed][:3] == [past.json()["id"], future.json()["id"], live_id]

    target = f"announcement:{live_id}"
    [published] = audit(container, "announcement.publish", target)
    assert published.actor == f"staff:{support.email}" and published.ip == "203.0.113.7"
    assert published.after["title"] == "Live now" and published.before is None
    changes = audit(container, "announcement.change", target)
    assert [c.before["endsAt"] == past_end for c in changes] == [False, True]
    assert [c.after["endsAt"] == past_end for c in changes] == [True, False]
    assert changes[1].after["title"] == "Live again" and changes[1].after["placement"] == "dialog"
    [withdrawal] = audit(container, "announcement.withdraw", target)
    assert withdrawal.after == {"withdrawn": True}
    assert again.json()["updatedBy"] == f"staff:{support.email}"


CHINESE = {"zh-CN": {"title": "引擎维护", "body": "我们**升级**引擎。"}}


def test_staff_translate_an_announcement_and_readers_in_that_language_see_it_in_the_api_and_the_feed(
    office: Office,
) -> None:
    client, support, container = office.client, office.support, office.container
    made = client.post("/v1/staff/announcements", json=body("Engine upgrade", translations=CHINESE),
                       headers=support.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    ident = made.json()["id"]
    assert made.json()["translations"] == {
        "zh-CN": {**CHINESE["zh-CN"], "bodyHtml": "<p>我们<strong>升级</strong>引擎。</p>\n", "outdated": False}
    }

    def shown(query: str = "") -> dict[str, Any]:
        [found] = [a for a in client.get(f"/v1/announcements{query}").json()["announcements"] if a["id"] == ident]
        return found

    chinese = shown("?lang=zh-CN")
    assert (chinese["title"], chinese["language"]) == ("引擎维护", "zh-CN")
    assert chinese["bodyHtml"] == "<p>我们<strong>升级</strong>引擎。</p>\n"
    assert (shown()["title"], shown()["language"]) == ("Engine upgrade", "en")
    assert shown("?lang=en") == shown()
    assert error(client.get("/v1/announcements?lang=fr"))[:3] == (422, "INVALID_FIELD", "lang")

    feed = atom(client.get("/v1/announcements.atom?lang=zh-CN"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/v1/announcements.atom?lang=zh-CN")  # type: ignore[union-attr]
    assert "引擎维护" in [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "Engine upgrade" in [e.findtext(f"{ATOM}title") for e in atom(client.get("/v1/announcements.atom"))]

    untranslated = client.put(f"/v1/staff/announcements/{ident}", json=body("Engine upgrade"), headers=support.headers)
    assert untranslated.status_code == 200 and untranslated.json()["translations"] == {}
    assert (shown("?lang=zh-CN")["title"], shown("?lang=zh-CN")["language"]) == ("Engine upgrade", "en")
    [published] = audit(container, "announcement.publish", f"announcement:{ident}")
    assert published.after["translations"] == CHINESE
    [changed] = audit(container, "announcement.change", f"announcement:{ident}")
    assert (changed.before["translations"], changed.after["translations"]) == (CHINESE, {})


def test_a_translation_left_as_it_was_when_the_english_changed_is_outdated_and_readers_see_the_english(
    office: Office,
) -> None:
    """The English moved the maintenance to 16:00; a Chinese text still saying 14:00 must not be shown."""
    client, support, container = office.client, office.support, office.container
    start, end = now_ms() - HOUR, now_ms() + HOUR
    at_two = {"zh-CN": {"title": "维护", "body": "14:00 维护。"}}

    def save(english: str, translations: dict[str, Any]) -> dict[str, Any]:
        sent = body("Maintenance", start, end, body=english, translations=translations)
        saved = client.put(f"/v1/staff/announcements/{ident}", json=sent, headers=support.headers)
        assert saved.status_code == 200, saved.text
        return dict(saved.json()["translations"]["zh-CN"])

    def chinese_reader() -> tuple[str, str]:
        [shown] = [a for a in client.get("/v1/announcements?lang=zh-CN").json()["announcements"] if a["id"] == ident]
        return shown["bodyHtml"].removeprefix("<p>").removesuffix("</p>\n"), shown["language"]

    made = client.post("/v1/staff/announcements", json=body("Maintenance", start, end, body="At 14:00.",
                       translations=at_two), headers=support.headers)  # fmt: skip
    ident = made.json()["id"]
    assert made.json()["translations"]["zh-CN"]["outdated"] is False and chinese_reader() == ("14:00 维护。", "zh-CN")

    assert save("At 16:00.", at_two)["outdated"] is True  # the English changed, the translation did not
    assert chinese_reader() == ("At 16:00.", "en")
    assert save("At 16:00.", at_two)["outdated"] is True  # saved again as it was: still from the old English
    listed = client.get("/v1/staff/announcements", headers=support.headers).json()["announcements"]
    assert next(a for a in listed if a["id"] == ident)["translations"]["zh-CN"]["outdated"] is True

    assert save("At 16:00.", {"zh-CN": {"title": "维护", "body": "16:00 维护。"}})["outdated"] is False  # rewritten
    assert chinese_reader() == ("16:00 维护。", "zh-CN")
    fitting = {"zh-CN": {"title": "维护", "body": "16:00 维护。", "stillFits": True}}
    assert save("At 16:00!", fitting)["outdated"] is False
    assert chinese_reader() == ("16:00 维护。", "zh-CN")  # staff said it still fits the English fixed beside it

    with container.uow() as uow:  # the news mail picks its words as the page does
        row = uow.session.get(Announcement, ident)
        assert row is not None
        assert news_words(row, "zh-CN").body.startswith("16:00 维护。")
        row.body = "At 17:00."
        assert news_words(row, "zh-CN").body.startswith("At 17:00.")  # outdated: the English
        uow.session.rollback()
    [first_change, *_] = audit(container, "announcement.change", f"announcement:{ident}")
    assert first_change.after["translations"] == at_two  # the audit log keeps the words, not the bookkeeping


def atom(response: Any) -> ElementTree.Element:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def test_the_atom_feed_parses_lists_started_announcements_newest_first_and_escapes_what_staff_typed(
    office: Office,
) -> None:
    client, support = office.client, office.support
    now = now_ms()
    older = client.post("/v1/staff/announcements", json=body("Older & wiser", now - 3 * HOUR), headers=support.headers)
    newer = client.post("/v1/staff/announcements", json=body(f"Ctl\x01 {EVIL}", now - HOUR, body=f"Body {EVIL}"),
                        headers=support.headers)  # fmt: skip
    assert newer.status_code == 201, newer.text
    client.post("/v1/staff/announcements", json=body("Not yet", now + HOUR, now + 2 * HOUR), headers=support.headers)
    gone = client.post("/v1/staff/announcements", json=body("Gone", now - HOUR), headers=support.headers).json()
    client.post(f"/v1/staff/announcements/{gone['id']}/withdraw", headers=support.headers)

    feed = atom(client.get("/v1/announcements.atom"))
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/v1/announcements.atom")  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "Not yet" not in titles and "Gone" not in titles
    mine = [t for t in titles if t in ("Older & wiser", f"Ctl {EVIL}")]
    assert mine == [f"Ctl {EVIL}", "Older & wiser"]  # newest first; the control character dropped
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("tag:") for i in ids)
    entry = entries[titles.index(f"Ctl {EVIL}")]
    assert entry.findtext(f"{ATOM}updated") is not None
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""
    assert html == newer.json()["bodyHtml"]  # the sanitized HTML, once XML-unescaped
    assert_inert(html)
    assert "&lt;script&gt;" in html
    raw = client.get("/v1/announcements.atom").text
    assert "<script" not in raw and "&lt;script&gt;" in raw  # markup in the title is text in the XML
    assert older.status_code == 201


def test_markup_in_every_field_is_inert_in_the_public_answer(office: Office) -> None:
    client, support = office.client, office.support
    made = client.post("/v1/staff/announcements", json=body(EVIL, body=f"# Hi\n\n{EVIL}\n\n[x](javascript:alert(4))"),
                       headers=support.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    [shown] = [a for a in client.get("/v1/announcements").json()["announcements"] if a["id"] == made.json()["id"]]
    assert shown["title"] == EVIL  # text as typed: the dApp shows titles as text, never as HTML
    html = shown["bodyHtml"]
    assert_inert(html)
    assert "&lt;script&gt;" in html and "<h1>Hi</h1>" in html


def test_roles_without_the_permission_are_refused_and_change_nothing(office: Office) -> None:
    client, support = office.client, office.support
    made = client.post("/v1/staff/announcements", json=body("Perm"), headers=support.headers).json()
    before = content_state(office.container)
    shown = client.get("/v1/announcements").json()
    for member in (office.compliance, office.auditor):
        assert error(client.get("/v1/staff/announcements", headers=member.headers))[:2] == (403, "STAFF_FORBIDDEN")
        writes = [
            client.post("/v1/staff/announcements", json=body("x"), headers=member.headers),
            client.put(f"/v1/staff/announcements/{made['id']}", json=body("x"), headers=member.headers),
            client.post(f"/v1/staff/announcements/{made['id']}/withdraw", headers=member.headers),
        ]
        assert [error(w)[:2] for w in writes] == [(403, "STAFF_FORBIDDEN")] * 3
    no_csrf = {"Cookie": support.headers["Cookie"]}
    refused = client.post("/v1/staff/announcements", json=body("x"), headers=no_csrf)
    assert error(refused)[:2] == (403, "STAFF_CSRF_FAILED")
    assert error(client.get("/v1/staff/announcements"))[:2] == (401, "STAFF_NOT_SIGNED_IN")
    assert content_state(office.container) == before
    assert client.get("/v1/announcements").json() == shown


def test_bad_input_is_a_typed_422_and_changes_nothing(office: Office) -> None:
    client, support = office.client, office.support
    made = client.post("/v1/staff/announcements", json=body("Fine"), headers=support.headers).json()
    gone = client.post("/v1/staff/announcements", json=body("Gone"), headers=support.headers).json()
    client.post(f"/v1/staff/announcements/{gone['id']}/withdraw", headers=support.headers)
    now = now_ms()
    before = content_state(office.container)
    cases: list[tuple[dict[str, Any], tuple[int, str, str | None]]] = [
        (body(start=now, end=now - 1), (422, "ANNOUNCEMENT_WINDOW_INVALID", "endsAt")),
        (body(start=now, end=now), (422, "ANNOUNCEMENT_WINDOW_INVALID", "endsAt")),
        (body(severity="urgent"), (422, "INVALID_FIELD", "severity")),
        (body(placement="popup"), (422, "INVALID_FIELD", "placement")),
        (body(title="t" * 201), (422, "INVALID_FIELD", "title")),
        (body(title=""), (422, "INVALID_FIELD", "title")),
        (body(title="   "), (422, "INVALID_FIELD", "title")),
        (body(title="a\x00b"), (422, "INVALID_FIELD", "title")),
        (body(body="a\x00b"), (422, "INVALID_FIELD", "body")),
        (body(body="b" * 10_001), (422, "INVALID_FIELD", "body")),
        (body(body=" \n "), (422, "INVALID_FIELD", "body")),
        (body(start=-1), (422, "INVALID_FIELD", "startsAt")),
        (body(end=2**53), (422, "INVALID_FIELD", "endsAt")),
        (body(extra="x"), (422, "INVALID_FIELD", "extra")),
        (body(translations={"zh-CN": {"title": " ", "body": "b"}}), (422, "INVALID_FIELD", "translations.zh-CN.title")),
        (body(translations={"zh-CN": {"title": "t", "body": ""}}), (422, "INVALID_FIELD", "translations.zh-CN.body")),
        (body(translations={"zh-CN": {"title": "t"}}), (422, "INVALID_FIELD", "translations.zh-CN.body")),
        (body(translations={"fr": {"title": "t", "body": "b"}}), (422, "INVALID_FIELD", "translations.fr")),
        (body(translations={"en": {"title": "t", "body": "b"}}), (422, "INVALID_FIELD", "translations.en")),
        ({k: v for k, v in body().items() if k != "endsAt"}, (422, "INVALID_FIELD", "endsAt")),
    ]
    for sent, expected in cases:
        assert error(client.post("/v1/staff/announcements", json=sent, headers=support.headers)) == expected, sent
        assert error(client.put(f"/v1/staff/announcements/{made['id']}", json=sent, headers=support.headers)) == (
            expected
        ), sent
    # JSON's escape of half a UTF-16 pair is no Unicode text: it was a 500 where the text was encoded
    for field, sent in (("title", body(title="t\ud800")), ("body", body(body="\udfff b"))):
        raw = {"content": json.dumps(sent), "headers": {**support.headers, "Content-Type": "application/json"}}
        assert error(client.post("/v1/staff/announcements", **raw)) == (422, "INVALID_FIELD", field)
        assert error(client.put(f"/v1/staff/announcements/{made['id']}", **raw)) == (422, "INVALID_FIELD", field)
    assert error(client.put("/v1/staff/announcements/999999", json=body(), headers=support.headers))[:2] == (
        404, "ANNOUNCEMENT_NOT_FOUND",
    )  # fmt: skip
    assert error(client.put(f"/v1/staff/announcements/{gone['id']}", json=body(), headers=support.headers))[:2] == (
        409, "ANNOUNCEMENT_WITHDRAWN",
    )  # fmt: skip
    assert error(client.post(f"/v1/staff/announcements/{gone['id']}/withdraw", headers=support.headers))[:2] == (
        409, "ANNOUNCEMENT_WITHDRAWN",
    )  # fmt: skip
    assert content_state(office.container) == before
