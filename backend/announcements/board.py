"""Announcements: staff publish one for a window [start, end), change it, or withdraw it; the public reads
those in their window now.

Each write changes the caller's unit of work and records its audit-log entry there (actions
"announcement.publish", "announcement.change", "announcement.withdraw"; target "announcement:<id>"); the
caller commits. Time is always passed in (`now_ms`), so the window logic is tested without waiting.
Bodies are stored as typed (Markdown) and rendered by `backend.markup.render` when read.

Staff write an announcement in English and, with it, its title and body in any of the dApp's other languages
(backend.accounts.languages.TRANSLATED); readers in a language see its text where there is one (`in_language`).
Each translation keeps the digest of the English it was written from (`source`): a change of the English that
leaves a translation as it was makes it outdated, and readers in its language see the English until staff
rewrite it. An announcement says what changed and when; a translation of the old English would tell them wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.languages import (
    DEFAULT_LANGUAGE,
    check_translated,
    followed_source,
    source_digest,
    written_for_other_english,
)
from backend.audit_log import record_action
from backend.db.models import Announcement
from backend.errors import ErrorCode, HdexError
from backend.markup import render

SEVERITIES = ("info", "warning", "critical")
PLACEMENTS = ("banner", "dialog")
MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 10_000
MAX_EPOCH_MS = 2**53 - 1  # what a JavaScript number holds exactly
FEED_SIZE = 50


@dataclass(frozen=True, slots=True)
class Text:
    """An announcement's words in one language."""

    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Draft:
    """What staff write: every field of an announcement they choose; `translations` by language."""

    title: str
    body: str
    severity: str
    placement: str
    starts_at_ms: int
    ends_at_ms: int
    translations: Mapping[str, Text] = field(default_factory=dict)
    # languages whose translation, sent as it was, staff say still fits the English sent with it (a fix of a typo):
    # it stays shown instead of waiting for a rewrite
    still_fit: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TranslatedText:
    title: str
    body: str
    body_html: str
    outdated: bool  # written from an English text since changed: readers see the English


@dataclass(frozen=True, slots=True)
class AnnouncementView:
    """An announcement as doors show it; `body_html` is the sanitized rendering of `body`."""

    id: int
    title: str
    body: str
    body_html: str
    severity: str
    placement: str
    starts_at_ms: int
    ends_at_ms: int
    withdrawn_at_ms: int | None
    withdrawn_by: str | None
    created_by: str
    created_at_ms: int
    updated_by: str
    updated_at_ms: int
    translations: Mapping[str, TranslatedText]
    language: str = DEFAULT_LANGUAGE  # that of title, body and body_html

    def in_language(self, language: str) -> AnnouncementView:
        """The announcement as a reader in `language` sees it: in it where translated from the English as it is,
        else in English."""
        text = self.translations.get(language)
        if text is None or text.outdated:
            return self
        return replace(self, title=text.title, body=text.body, body_html=text.body_html, language=language)

    def status(self, now_ms: int) -> str:
        """withdrawn, scheduled (before its start), live (in its window) or ended."""
        if self.withdrawn_at_ms is not None:
            return "withdrawn"
        if now_ms < self.starts_at_ms:
            return "scheduled"
        return "live" if now_ms < self.ends_at_ms else "ended"


def check_draft(draft: Draft) -> Draft:
    """The draft with its titles trimmed, or a typed error naming the first bad field (pure)."""
    english = _checked(Text(draft.title, draft.body), "")
    translations = {}
    for language, text in draft.translations.items():
        check_translated(language, "announcements", "translations")
        translations[language] = _checked(text, f"translations.{language}.")
    if draft.severity not in SEVERITIES:
        raise HdexError(ErrorCode.INVALID_FIELD, f"severity is one of {', '.join(SEVERITIES)}", "severity")
    if draft.placement not in PLACEMENTS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"placement is one of {', '.join(PLACEMENTS)}", "placement")
    for name, value in (("startsAt", draft.starts_at_ms), ("endsAt", draft.ends_at_ms)):
        if not 0 <= value <= MAX_EPOCH_MS:
            raise HdexError(ErrorCode.INVALID_FIELD, "a time is milliseconds since the epoch", name)
    if draft.ends_at_ms <= draft.starts_at_ms:
        raise HdexError(ErrorCode.ANNOUNCEMENT_WINDOW_INVALID, "the end must be after the start", "endsAt")
    return Draft(
        english.title, english.body, draft.severity, draft.placement, draft.starts_at_ms, draft.ends_at_ms,
        dict(sorted(translations.items())), frozenset(draft.still_fit & translations.keys()),
    )  # fmt: skip


def _checked(text: Text, where: str) -> Text:
    """`text` with its title trimmed, or INVALID_FIELD naming its field (`where` + title or body)."""
    title = text.title.strip()
    for name, words in (("title", text.title), ("body", text.body)):
        if "\x00" in words:  # PostgreSQL text cannot hold it
            raise HdexError(ErrorCode.INVALID_FIELD, "text cannot contain the NUL character", where + name)
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a title is 1 to {MAX_TITLE_CHARS} characters", where + "title")
    if not text.body.strip() or len(text.body) > MAX_BODY_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a body is 1 to {MAX_BODY_CHARS} characters", where + "body")
    render(text.body)  # refused now if it would render too large, never at a read
    return Text(title, text.body)


def publish(session: Session, draft: Draft, *, actor: str, ip: str | None, now_ms: int) -> AnnouncementView:
    """A new announcement, shown in its window (audit-logged "announcement.publish")."""
    draft = check_draft(draft)
    row = Announcement(
        title=draft.title, body=draft.body, severity=draft.severity, placement=draft.placement,
        starts_at_ms=draft.starts_at_ms, ends_at_ms=draft.ends_at_ms, withdrawn_at_ms=None, withdrawn_by=None,
        created_by=actor, created_at_ms=now_ms, updated_by=actor, updated_at_ms=now_ms,
        translations=_stored(draft, {}, ""),
    )  # fmt: skip
    session.add(row)
    session.flush()
    record_action(
        session, actor=actor, action="announcement.publish", target=f"announcement:{row.id}", before=None,
        after=_audited(row), ip=ip,
    )  # fmt: skip
    return _view(row)


def change(
    session: Session, announcement_id: int, draft: Draft, *, actor: str, ip: str | None, now_ms: int
) -> AnnouncementView:
    """Replace every field staff choose (moving the end into the past ends it now); audit-logged
    "announcement.change" with before and after. ANNOUNCEMENT_WITHDRAWN for a withdrawn one."""
    draft = check_draft(draft)
    row = _live_row(session, announcement_id)
    before = _audited(row)
    # a new value: the JSON column does not see changes in place
    row.translations = _stored(draft, row.translations, source_digest(row.title, row.body))
    row.title, row.body, row.severity, row.placement = draft.title, draft.body, draft.severity, draft.placement
    row.starts_at_ms, row.ends_at_ms = draft.starts_at_ms, draft.ends_at_ms
    row.updated_by, row.updated_at_ms = actor, now_ms
    record_action(
        session, actor=actor, action="announcement.change", target=f"announcement:{row.id}", before=before,
        after=_audited(row), ip=ip,
    )  # fmt: skip
    return _view(row)


def withdraw(session: Session, announcement_id: int, *, actor: str, ip: str | None, now_ms: int) -> AnnouncementView:
    """Take an announcement down for good (audit-logged "announcement.withdraw"); it stays listed for staff."""
    row = _live_row(session, announcement_id)
    row.withdrawn_at_ms, row.withdrawn_by = now_ms, actor
    row.updated_by, row.updated_at_ms = actor, now_ms
    record_action(
        session, actor=actor, action="announcement.withdraw", target=f"announcement:{row.id}",
        before={"withdrawn": False}, after={"withdrawn": True}, ip=ip,
    )  # fmt: skip
    return _view(row)


def current(session: Session, now_ms: int) -> list[AnnouncementView]:
    """The announcements in their window at `now_ms` (start <= now < end), not withdrawn, newest first."""
    query = (
        select(Announcement)
        .where(
            Announcement.withdrawn_at_ms.is_(None),
            Announcement.starts_at_ms <= now_ms,
            Announcement.ends_at_ms > now_ms,
        )
        .order_by(Announcement.starts_at_ms.desc(), Announcement.id.desc())
    )
    return [_view(row) for row in session.scalars(query)]


def feed_entries(session: Session, now_ms: int, size: int = FEED_SIZE) -> list[AnnouncementView]:
    """The feed's announcements: those that have started (ended ones too: a feed is a history), not
    withdrawn, newest start first, at most `size`."""
    query = (
        select(Announcement)
        .where(Announcement.withdrawn_at_ms.is_(None), Announcement.starts_at_ms <= now_ms)
        .order_by(Announcement.starts_at_ms.desc(), Announcement.id.desc())
        .limit(size)
    )
    return [_view(row) for row in session.scalars(query)]


def list_all(session: Session, *, limit: int, below_id: int | None = None) -> list[AnnouncementView]:
    """Every announcement (scheduled, live, ended, withdrawn) for staff, newest first."""
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if below_id is not None:
        query = query.where(Announcement.id < below_id)
    return [_view(row) for row in session.scalars(query)]


def _live_row(session: Session, announcement_id: int) -> Announcement:
    row = session.get(Announcement, announcement_id)
    if row is None:
        raise HdexError(ErrorCode.ANNOUNCEMENT_NOT_FOUND, f"there is no announcement {announcement_id}", "id")
    if row.withdrawn_at_ms is not None:
        raise HdexError(ErrorCode.ANNOUNCEMENT_WITHDRAWN, f"announcement {row.id} was withdrawn", "id")
    return row


def _stored(draft: Draft, held: Mapping[str, Mapping[str, str]], held_source: str) -> dict[str, dict[str, str]]:
    """`draft`'s translations as stored, each with the digest of the English it follows: the draft's English for a
    translation new, rewritten or said to still fit, and for one sent as it was, the English it followed
    (`held_source`: the English held until now, for one stored before translations kept their source)."""
    current = source_digest(draft.title, draft.body)
    stored = {}
    for language, text in draft.translations.items():
        words = {"title": text.title, "body": text.body}
        still_fits = language in draft.still_fit
        stored[language] = words | {
            "source": followed_source(held.get(language), words, held_source, current, still_fits)
        }
    return stored


def _audited(row: Announcement) -> dict[str, Any]:
    translations = {language: {"title": t["title"], "body": t["body"]} for language, t in row.translations.items()}
    return {
        "title": row.title, "body": row.body, "severity": row.severity, "placement": row.placement,
        "startsAt": row.starts_at_ms, "endsAt": row.ends_at_ms, "translations": translations,
    }  # fmt: skip


def text_in(row: Announcement, language: str) -> Text:
    """The words a reader in `language` gets of `row` (a mail, where no view is built): its translation if it is
    written from the English as it is, else the English."""
    text = row.translations.get(language)
    if text is None or written_for_other_english(text, source_digest(row.title, row.body)):
        return Text(row.title, row.body)
    return Text(text["title"], text["body"])


def _view(row: Announcement) -> AnnouncementView:
    english = source_digest(row.title, row.body)  # once a row, not once a translation
    translations = {
        language: TranslatedText(
            text["title"], text["body"], render(text["body"], stored=True), written_for_other_english(text, english)
        )
        for language, text in row.translations.items()
    }
    return AnnouncementView(
        row.id, row.title, row.body, render(row.body, stored=True), row.severity, row.placement, row.starts_at_ms,
        row.ends_at_ms, row.withdrawn_at_ms, row.withdrawn_by, row.created_by, row.created_at_ms, row.updated_by,
        row.updated_at_ms, translations,
    )  # fmt: skip
