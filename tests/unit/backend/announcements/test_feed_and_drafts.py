"""The pure parts of announcements: what a draft may hold (with its translations), an announcement's status at a
time and its text in a reader's language, and the Atom document (parsed back: well-formed, escaped, in the order
given, without characters XML cannot carry, its language said)."""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree

import pytest

from backend.announcements import AnnouncementView, Draft, Text, atom_feed
from backend.announcements.board import TranslatedText, check_draft
from backend.announcements.feed import rfc3339
from backend.errors import ErrorCode, HdexError

ATOM = "{http://www.w3.org/2005/Atom}"
VIEW = AnnouncementView(
    id=7, title="T", body="b", body_html="<p>b</p>\n", severity="critical", placement="dialog", starts_at_ms=1_000,
    ends_at_ms=2_000, withdrawn_at_ms=None, withdrawn_by=None, created_by="staff:a@x", created_at_ms=500,
    updated_by="staff:a@x", updated_at_ms=500, translations={},
)  # fmt: skip
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GOOD = Draft(" Title ", "Body", "info", "banner", 1, 2)


def test_a_draft_is_trimmed_and_each_bad_field_is_named() -> None:
    assert check_draft(GOOD).title == "Title"
    bad = [
        (replace(GOOD, title=" "), ErrorCode.INVALID_FIELD, "title"),
        (replace(GOOD, body="x" * 10_001), ErrorCode.INVALID_FIELD, "body"),
        (replace(GOOD, severity="Info"), ErrorCode.INVALID_FIELD, "severity"),
        (replace(GOOD, placement="toast"), ErrorCode.INVALID_FIELD, "placement"),
        (replace(GOOD, starts_at_ms=-5), ErrorCode.INVALID_FIELD, "startsAt"),
        (replace(GOOD, starts_at_ms=2, ends_at_ms=2), ErrorCode.ANNOUNCEMENT_WINDOW_INVALID, "endsAt"),
        (replace(GOOD, starts_at_ms=3, ends_at_ms=2), ErrorCode.ANNOUNCEMENT_WINDOW_INVALID, "endsAt"),
    ]
    for draft, code, field in bad:
        with pytest.raises(HdexError) as refused:
            check_draft(draft)
        assert (refused.value.code, refused.value.field) == (code, field), draft


def test_a_translation_is_checked_as_the_english_text_is_and_only_into_the_dapps_other_languages() -> None:
    translated = check_draft(replace(GOOD, translations={"zh-CN": Text(" 维护 ", "**周日**")}))
    assert translated.translations == {"zh-CN": Text("维护", "**周日**")}
    bad = [
        ({"zh-CN": Text("  ", "b")}, "translations.zh-CN.title"),
        ({"zh-CN": Text("t" * 201, "b")}, "translations.zh-CN.title"),
        ({"zh-CN": Text("t", "\n ")}, "translations.zh-CN.body"),
        ({"zh-CN": Text("t", "a\x00b")}, "translations.zh-CN.body"),
        ({"en": Text("t", "b")}, "translations"),  # English is the announcement itself
        ({"fr": Text("t", "b")}, "translations"),
    ]
    for translations, field in bad:
        with pytest.raises(HdexError) as refused:
            check_draft(replace(GOOD, translations=translations))
        assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_FIELD, field), translations


def test_a_reader_sees_the_translation_into_their_language_and_else_the_english_text() -> None:
    view = replace(VIEW, translations={"zh-CN": TranslatedText("标题", "正文", "<p>正文</p>\n", outdated=False)})
    chinese = view.in_language("zh-CN")
    assert (chinese.title, chinese.body, chinese.body_html) == ("标题", "正文", "<p>正文</p>\n")
    assert chinese.language == "zh-CN"
    assert (chinese.id, chinese.severity, chinese.starts_at_ms) == (view.id, view.severity, view.starts_at_ms)
    assert view.in_language("en") == view and view.in_language("en").language == "en"
    assert VIEW.in_language("zh-CN") == VIEW  # not translated: English, and it says so
    outdated = replace(
        VIEW, translations={"zh-CN": TranslatedText("标题", "旧的正文", "<p>旧的正文</p>\n", outdated=True)}
    )
    assert outdated.in_language("zh-CN") == outdated  # written from an English since changed: the English


def test_the_status_follows_the_window_and_withdrawal_wins() -> None:
    assert [VIEW.status(t) for t in (999, 1_000, 1_999, 2_000)] == ["scheduled", "live", "live", "ended"]
    assert replace(VIEW, withdrawn_at_ms=1_500).status(1_500) == "withdrawn"


def test_the_feed_keeps_the_given_order_escapes_text_and_drops_what_xml_cannot_carry() -> None:
    entries = [replace(VIEW, id=9, title="<b>B</b> & \x07bell", starts_at_ms=3_000), VIEW]
    document = atom_feed(entries, site_url="https://hdex.example", feed_url="https://hdex.example/feed", now_ms=9)
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ElementTree.fromstring(document)
    assert feed.findtext(f"{ATOM}id") == "tag:hdex.example,2026-12-02:announcements"
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:03.000Z"  # the newest entry's
    got = [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}title")) for e in feed.findall(f"{ATOM}entry")]
    assert got == [
        ("tag:hdex.example,2026-12-02:announcement:9", "<b>B</b> & bell"),
        ("tag:hdex.example,2026-12-02:announcement:7", "T"),
    ]
    content = feed.find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and content.get("type") == "html" and content.text == "<p>b</p>\n"
    assert b"&lt;b&gt;B&lt;/b&gt; &amp; bell" in document
    category = feed.find(f"{ATOM}entry/{ATOM}category")
    assert category is not None and category.get("term") == "critical"


def test_a_feed_in_another_language_says_so_and_marks_the_entries_still_in_english() -> None:
    chinese = replace(VIEW, id=9, title="标题", language="zh-CN")
    document = atom_feed(
        [chinese, VIEW], site_url="https://hdex.example", feed_url="https://hdex.example/f?lang=zh-CN", now_ms=9,
        language="zh-CN",
    )  # fmt: skip
    feed = ElementTree.fromstring(document)
    assert feed.get(XML_LANG) == "zh-CN"
    assert feed.findtext(f"{ATOM}id") == "tag:hdex.example,2026-12-02:announcements:zh-CN"  # not the English feed
    assert [(e.get(XML_LANG), e.findtext(f"{ATOM}title")) for e in feed.findall(f"{ATOM}entry")] == [
        (None, "标题"),  # the feed's language
        ("en", "T"),
    ]
    english = ElementTree.fromstring(atom_feed([VIEW], site_url="https://hdex.example", feed_url="f", now_ms=9))
    assert english.get(XML_LANG) == "en" and english.find(f"{ATOM}entry").get(XML_LANG) is None  # type: ignore[union-attr]


def test_an_empty_feed_is_dated_now_and_dates_are_rfc3339_utc() -> None:
    feed = ElementTree.fromstring(
        atom_feed([], site_url="http://127.0.0.1:8000", feed_url="f", now_ms=1_764_663_000_123)
    )
    assert feed.findtext(f"{ATOM}updated") == "2025-12-02T08:10:00.123Z"
    assert feed.findall(f"{ATOM}entry") == []
    assert rfc3339(0) == "1970-01-01T00:00:00.000Z"


def test_a_checked_draft_says_still_fits_only_of_the_translations_it_carries() -> None:
    sent = replace(GOOD, translations={"zh-CN": Text("标题", "正文")}, still_fit=frozenset({"zh-CN", "es"}))
    checked = check_draft(sent)
    assert checked.still_fit == frozenset({"zh-CN"}) and type(checked.still_fit) is frozenset
    assert check_draft(replace(sent, translations={})).still_fit == frozenset()
