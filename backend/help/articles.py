"""Help-center articles: staff write them in Markdown (slug, title, body, published); the public reads and
searches the published ones.

Search works the same on SQLite and PostgreSQL: every word of the query must appear, case-insensitively in
any script, in the title or the body (LIKE over `search_text`, the title and body case-folded in Python when
written, against the words folded the same way; wildcards in the words escaped); matches are ranked by how
many of the words the title holds, then by how recently they changed. Folding in Python, as the forum builds
its search text in Python, gives both databases one rule: SQLite's lower() folds ASCII only. Words are
substrings, not tokens, so Chinese, which has no spaces between words, is found too. Articles are few
(tens), so LIKE is enough; the forum's full-text search is for thousands of posts.

Articles are written in English; a translation (backend.help.translations) is what readers in its language see
instead: lists and searches in a language match the words in the translation or in the English text, and show
the translation where there is one (`ArticleView.language` says which, and `outdated` whether the English title or
body changed after the translation was written: `source_digest`).

Each write changes the caller's unit of work and records its audit-log entry there (actions
"help.article.create", "help.article.change", "help.article.delete"; target "help_article:<id>"); the caller
commits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from backend.accounts.languages import DEFAULT_LANGUAGE, source_digest
from backend.audit_log import record_action
from backend.db.locks import flush_unique
from backend.db.models import HelpArticle, HelpArticleTranslation
from backend.errors import ErrorCode, HdexError
from backend.markup import plain, render

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_CHARS = 80
MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 20_000  # even JSON-escaped, within the default HDEX_MAX_BODY_BYTES
MAX_QUERY_WORDS = 8
MAX_WORD_CHARS = 64
EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """What staff write."""

    slug: str
    title: str
    body: str
    published: bool


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as doors show it: `body` as typed, `body_html` sanitized, `excerpt` plain text; the text (title,
    body, when and by whom it changed) in `language`: a translation's, or the English article's."""

    id: int
    slug: str
    title: str
    body: str
    body_html: str
    excerpt: str
    published: bool
    created_by: str
    created_at_ms: int
    updated_by: str
    updated_at_ms: int
    language: str
    outdated: bool  # a translation written from an English title or body that has changed since


def check_draft(draft: ArticleDraft) -> ArticleDraft:
    """The draft with slug and title trimmed, or a typed error naming the first bad field (pure)."""
    slug = draft.slug.strip()
    if len(slug) > MAX_SLUG_CHARS or not SLUG.match(slug):
        raise HdexError(
            ErrorCode.INVALID_FIELD,
            f"a slug is lower-case letters and digits in words joined by '-', at most {MAX_SLUG_CHARS} characters",
            "slug",
        )
    return ArticleDraft(slug, check_text(draft.title, draft.body), draft.body, draft.published)


def check_text(title: str, body: str) -> str:
    """The title trimmed, or INVALID_FIELD naming `title` or `body` (pure): an article's or a translation's."""
    for name, text in (("title", title), ("body", body)):
        if "\x00" in text:  # PostgreSQL text cannot hold it
            raise HdexError(ErrorCode.INVALID_FIELD, "text cannot contain the NUL character", name)
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a title is 1 to {MAX_TITLE_CHARS} characters", "title")
    if not body.strip() or len(body) > MAX_BODY_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a body is 1 to {MAX_BODY_CHARS} characters", "body")
    return title


def fold(text: str) -> str:
    """`text` for caseless matching: Unicode case folding ("ÉCHANGE" and "Straße" become "échange" and
    "strasse") between NFKC normalizations (composed and decomposed accents, full-width letters match)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def search_text(title: str, body: str) -> str:
    """What search matches the words against: the article's title and body, folded."""
    return fold(f"{title}\n{body}")


def excerpt_of(body: str, *, stored: bool = False) -> str:
    """The start of the article's text, every tag removed: shown as text (the dApp escapes it). `stored` as for
    `backend.markup.render`."""
    text = plain(body, stored=stored)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _write(row: HelpArticle, draft: ArticleDraft) -> None:
    """Set what staff wrote and what reads show of it: the search text, the HTML and the excerpt, rendered once
    here rather than at every read (a list of articles would render each one's Markdown twice)."""
    row.slug, row.published = draft.slug, draft.published
    write_text(row, draft.title, draft.body)


def write_text(row: HelpArticle | HelpArticleTranslation, title: str, body: str) -> None:
    """Set a title and body, and what reads show of them: the search text, the HTML and the excerpt."""
    row.title, row.body, row.search_text = title, body, search_text(title, body)
    row.body_html, row.excerpt = render(body), excerpt_of(body)


def query_words(query: str) -> list[str]:
    """The distinct folded words of a search (at most MAX_QUERY_WORDS, each cut to MAX_WORD_CHARS)."""
    words: list[str] = []
    for word in fold(query.replace("\x00", " ")).split():
        word = word[:MAX_WORD_CHARS]
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def create(session: Session, draft: ArticleDraft, *, actor: str, ip: str | None, now_ms: int) -> ArticleView:
    """A new article (HELP_SLUG_TAKEN if its slug is used); audit-logged "help.article.create"."""
    draft = check_draft(draft)
    _refuse_taken_slug(session, draft.slug, None)
    row = HelpArticle(created_by=actor, created_at_ms=now_ms, updated_by=actor, updated_at_ms=now_ms)
    _write(row, draft)
    session.add(row)
    flush_unique(session, _slug_taken(draft.slug))
    record_action(
        session, actor=actor, action="help.article.create", target=f"help_article:{row.id}", before=None,
        after=_audited(row), ip=ip,
    )  # fmt: skip
    return _view(row)


def change(
    session: Session, article_id: int, draft: ArticleDraft, *, actor: str, ip: str | None, now_ms: int
) -> ArticleView:
    """Replace an article's slug, title, body and published flag (publish or unpublish); audit-logged
    "help.article.change" with before and after."""
    draft = check_draft(draft)
    row = article_row(session, article_id)
    _refuse_taken_slug(session, draft.slug, row.id)
    before = _audited(row)
    _write(row, draft)
    row.updated_by, row.updated_at_ms = actor, now_ms
    flush_unique(session, _slug_taken(draft.slug))
    record_action(
        session, actor=actor, action="help.article.change", target=f"help_article:{row.id}", before=before,
        after=_audited(row), ip=ip,
    )  # fmt: skip
    return _view(row)


def delete(session: Session, article_id: int, *, actor: str, ip: str | None) -> None:
    """Remove an article and its translations; the audit-log entry "help.article.delete" keeps what they said."""
    row = article_row(session, article_id)
    translations = _translations(session, row.id)
    before = _audited(row) | {"translations": {t.language: {"title": t.title, "body": t.body} for t in translations}}
    record_action(
        session, actor=actor, action="help.article.delete", target=f"help_article:{row.id}", before=before,
        after=None, ip=ip,
    )  # fmt: skip
    for translation in translations:
        session.delete(translation)
    session.delete(row)
    session.flush()


def search(
    session: Session,
    query: str | None,
    *,
    limit: int,
    published_only: bool = True,
    language: str = DEFAULT_LANGUAGE,
) -> list[ArticleView]:
    """Articles with every word of `query` in the title or body (case-insensitive in any script) of the English
    text or of its translation into `language`, shown in `language` where translated; those with more of the words
    in the shown title first, then the most recently changed; no query: all, most recently changed first."""
    statement = _in_language(language)
    if published_only:
        statement = statement.where(HelpArticle.published.is_(True))
    words = query_words(query or "")
    for word in words:
        statement = statement.where(or_(
            HelpArticle.search_text.contains(word, autoescape=True),
            HelpArticleTranslation.search_text.contains(word, autoescape=True),
        ))  # fmt: skip
    changed = func.coalesce(HelpArticleTranslation.updated_at_ms, HelpArticle.updated_at_ms)
    views = [_view(row, translation) for row, translation in session.execute(
        statement.order_by(changed.desc(), HelpArticle.id.desc()))]  # fmt: skip

    def in_title(view: ArticleView) -> int:
        title = fold(view.title)
        return sum(word in title for word in words)

    views.sort(key=in_title, reverse=True)  # stable: keeps the most recent first among equals
    return views[:limit]


def get_published(session: Session, slug: str, language: str = DEFAULT_LANGUAGE) -> ArticleView:
    """The published article at `slug` in `language` where translated (else in English), or
    HELP_ARTICLE_NOT_FOUND (also for an unpublished one)."""
    published = _in_language(language).where(HelpArticle.slug == slug, HelpArticle.published.is_(True))
    found = session.execute(published).first()
    if found is None:
        raise HdexError(ErrorCode.HELP_ARTICLE_NOT_FOUND, f"there is no help article {slug!r}", "slug")
    return _view(*found)


def get(session: Session, article_id: int) -> ArticleView:
    """Any article by id (for staff), or HELP_ARTICLE_NOT_FOUND."""
    return _view(article_row(session, article_id))


def article_row(session: Session, article_id: int) -> HelpArticle:
    row = session.get(HelpArticle, article_id)
    if row is None:
        raise HdexError(ErrorCode.HELP_ARTICLE_NOT_FOUND, f"there is no help article {article_id}", "id")
    return row


def _refuse_taken_slug(session: Session, slug: str, own_id: int | None) -> None:
    holder = session.scalar(select(HelpArticle.id).where(HelpArticle.slug == slug))
    if holder is not None and holder != own_id:
        raise _slug_taken(slug)


def _slug_taken(slug: str) -> HdexError:
    return HdexError(ErrorCode.HELP_SLUG_TAKEN, f"another article has the slug {slug!r}", "slug")


def _audited(row: HelpArticle) -> dict[str, Any]:
    return {"slug": row.slug, "title": row.title, "body": row.body, "published": row.published}


def _in_language(language: str) -> Select[HelpArticle, HelpArticleTranslation]:
    """The articles, each with its translation into `language` beside it (None if none)."""
    return select(HelpArticle, HelpArticleTranslation).outerjoin(HelpArticleTranslation, and_(
        HelpArticleTranslation.article_id == HelpArticle.id, HelpArticleTranslation.language == language,
    ))  # fmt: skip


def _translations(session: Session, article_id: int) -> list[HelpArticleTranslation]:
    return list(session.scalars(select(HelpArticleTranslation).where(HelpArticleTranslation.article_id == article_id)))


def _view(row: HelpArticle, translation: HelpArticleTranslation | None = None) -> ArticleView:
    text, language = (translation, translation.language) if translation else (row, DEFAULT_LANGUAGE)
    outdated = translation is not None and translation.source_digest != source_digest(row.title, row.body)
    return ArticleView(
        row.id, row.slug, text.title, text.body, text.body_html, text.excerpt, row.published, row.created_by,
        row.created_at_ms, text.updated_by, text.updated_at_ms, language, outdated,
    )  # fmt: skip
