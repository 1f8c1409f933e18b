"""Help articles in the dApp's other languages: staff write an article in English and translate it, per language,
into the others (backend.accounts.languages); readers in a language see the translation where there is one
(backend.help.articles reads them). A translation has its own title and Markdown body; the slug and whether the
article is published stay the article's. It keeps a digest of the English text it was written from, so a change to
the English shows it `outdated` until it is saved again.

Each write changes the caller's unit of work and records its audit-log entry there ("help.article.translate"
with the language's text before and after, "help.article.untranslate" with what it said; target
"help_article:<id>", as the article's own entries); the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.languages import check_translated, source_digest
from backend.audit_log import record_action
from backend.db.locks import flush_unique
from backend.db.models import HelpArticle, HelpArticleTranslation
from backend.errors import ErrorCode, HdexError
from backend.help.articles import article_row, check_text, write_text


@dataclass(frozen=True, slots=True)
class TranslationView:
    language: str
    title: str
    body: str
    body_html: str
    updated_by: str
    updated_at_ms: int
    outdated: bool  # the English title or body changed after it was written


def check_language(language: str) -> str:
    """`language` if an article can be translated into it, else INVALID_FIELD (pure)."""
    return check_translated(language, "articles", "language")


def translate(
    session: Session, article_id: int, language: str, title: str, body: str, *, actor: str, ip: str | None,
    now_ms: int,
) -> None:  # fmt: skip
    """Write (or rewrite) the article's text in `language`; HELP_ARTICLE_NOT_FOUND for no such article,
    INVALID_FIELD for a language or text that cannot be; audit-logged "help.article.translate"."""
    language, title = check_language(language), check_text(title, body)
    article = article_row(session, article_id)
    row = _translation(session, article.id, language)
    before = _audited(row) if row is not None else None
    if row is None:
        row = HelpArticleTranslation(article_id=article.id, language=language)
        session.add(row)
    write_text(row, title, body)
    row.source_digest = source_digest(article.title, article.body)
    row.updated_by, row.updated_at_ms = actor, now_ms
    # two first translations into one language at once: the second is refused, as the second of two new slugs is
    taken = f"another writer translated help article {article.id} into {language} meanwhile: read it and try again"
    flush_unique(session, HdexError(ErrorCode.HELP_TRANSLATION_TAKEN, taken, "language"))
    record_action(
        session, actor=actor, action="help.article.translate", target=f"help_article:{article.id}", before=before,
        after=_audited(row), ip=ip,
    )  # fmt: skip


def untranslate(session: Session, article_id: int, language: str, *, actor: str, ip: str | None) -> None:
    """Remove the article's text in `language` (its readers see the English one again); HELP_ARTICLE_NOT_FOUND
    naming `language` when there is none; audit-logged "help.article.untranslate" with what it said."""
    language = check_language(language)
    article = article_row(session, article_id)
    row = _translation(session, article.id, language)
    if row is None:
        raise HdexError(
            ErrorCode.HELP_ARTICLE_NOT_FOUND, f"help article {article.id} has no {language} translation", "language"
        )
    record_action(
        session, actor=actor, action="help.article.untranslate", target=f"help_article:{article.id}",
        before=_audited(row), after=None, ip=ip,
    )  # fmt: skip
    session.delete(row)
    session.flush()


def translations_of(session: Session, article_ids: Iterable[int]) -> dict[int, list[TranslationView]]:
    """Each article's translations, by language; an article without any is absent."""
    found: dict[int, list[TranslationView]] = {}
    rows = session.execute(
        select(HelpArticleTranslation, HelpArticle.title, HelpArticle.body)
        .join(HelpArticle, HelpArticle.id == HelpArticleTranslation.article_id)
        .where(HelpArticleTranslation.article_id.in_(list(article_ids)))
        .order_by(HelpArticleTranslation.language)
    )
    for row, title, body in rows:
        outdated = row.source_digest != source_digest(title, body)
        found.setdefault(row.article_id, []).append(_view(row, outdated=outdated))
    return found


def _translation(session: Session, article_id: int, language: str) -> HelpArticleTranslation | None:
    return session.scalar(
        select(HelpArticleTranslation).where(
            HelpArticleTranslation.article_id == article_id, HelpArticleTranslation.language == language
        )
    )


def _audited(row: HelpArticleTranslation) -> dict[str, Any]:
    return {"language": row.language, "title": row.title, "body": row.body}


def _view(row: HelpArticleTranslation, *, outdated: bool) -> TranslationView:
    return TranslationView(
        row.language, row.title, row.body, row.body_html, row.updated_by, row.updated_at_ms, outdated
    )
