"""The help center for everyone (issue 16): published articles, searchable, each at its slug.

`GET /v1/help/articles?q=` finds the articles holding every word of `q` (case-insensitive in any script) in
the title or body, those with more of the words in the title first. `bodyHtml` is the sanitized rendering of the
article's Markdown (backend.markup): safe to insert as HTML; `excerpt` is plain text. `lang` (the dApp's language)
shows each article's translation into it where there is one, and searches it too; `language` says which text came,
and an article's `outdated` whether its English text changed after the translation was written.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep
from backend.api.schemas import ERROR, EpochMs, Language, documented
from backend.help import ArticleView, get_published, search
from backend.help.articles import MAX_SLUG_CHARS

router = APIRouter(prefix="/v1/help", tags=["help"])
SlugPath = Annotated[str, Path(min_length=1, max_length=MAX_SLUG_CHARS, pattern="^[a-z0-9]+(-[a-z0-9]+)*$")]
LanguageQuery = Annotated[
    Language, Query(description="the reader's language: each article in it where translated, else in English")
]
LANGUAGE_FIELD = Field(description="the language of the title and text: `lang` where translated, else en")


class ArticleSummary(BaseModel):
    slug: str
    title: str = Field(description="as typed: show it as text")
    excerpt: str = Field(description="the start of the body as plain text: show it as text")
    updatedAt: EpochMs
    language: Language = LANGUAGE_FIELD


class ArticleList(BaseModel):
    articles: list[ArticleSummary] = Field(description="best match first (no query: most recently changed)")


class Article(BaseModel):
    slug: str
    title: str = Field(description="as typed: show it as text")
    bodyHtml: str = Field(description="the Markdown body rendered and sanitized on the server: safe as HTML")
    updatedAt: EpochMs
    language: Language = LANGUAGE_FIELD
    outdated: bool = Field(description="a translation written before the English article's text last changed")


def summary_json(view: ArticleView) -> dict[str, Any]:
    return {
        "slug": view.slug, "title": view.title, "excerpt": view.excerpt, "updatedAt": view.updated_at_ms,
        "language": view.language,
    }  # fmt: skip


@router.get("/articles", response_model=None, responses={
    **documented(ArticleList, "published articles matching the search"), 422: ERROR,
})  # fmt: skip
async def articles(
    container: ContainerDep,
    q: Annotated[str | None, Query(max_length=200, description="words that must all appear")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    lang: LanguageQuery = "en",
) -> dict[str, Any]:
    """Published articles, searched by every word of `q` in the title or body (case-insensitive in any script) of
    the English text or its translation into `lang`, each shown in `lang` where translated."""

    def read() -> list[ArticleView]:
        with container.uow() as uow:
            return search(uow.session, q, limit=limit, language=lang)

    return {"articles": [summary_json(view) for view in await asyncio.to_thread(read)]}


@router.get("/articles/{slug}", response_model=None, responses={
    **documented(Article, "the article"), 404: ERROR, 422: ERROR,
})  # fmt: skip
async def article(slug: SlugPath, container: ContainerDep, lang: LanguageQuery = "en") -> dict[str, Any]:
    """One published article, in `lang` where translated (404 HELP_ARTICLE_NOT_FOUND for an unknown or unpublished
    slug)."""

    def read() -> ArticleView:
        with container.uow() as uow:
            return get_published(uow.session, slug, lang)

    view = await asyncio.to_thread(read)
    return {
        "slug": view.slug, "title": view.title, "bodyHtml": view.body_html, "updatedAt": view.updated_at_ms,
        "language": view.language, "outdated": view.outdated,
    }  # fmt: skip
