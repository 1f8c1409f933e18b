"""Help-center articles in the back office (issue 16): list (published or not), read, write in Markdown with
a server-rendered preview, publish or unpublish, translate into the dApp's other languages, delete. Each needs the
permission support.manage (403 STAFF_FORBIDDEN otherwise), changes carry the CSRF token, and each change is in the
audit log ("help.article.create", "help.article.change", "help.article.translate", "help.article.untranslate",
"help.article.delete")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.announcements import now_ms
from backend.api.schemas import ERROR, STAFF_ONLY, EpochMs, Input, Translated, documented
from backend.bootstrap import Container
from backend.db.types import MAX_ROW_ID
from backend.help import (
    ArticleDraft,
    ArticleView,
    TranslationView,
    change,
    create,
    delete,
    get,
    search,
    translate,
    translations_of,
    untranslate,
)
from backend.help.articles import MAX_BODY_CHARS, MAX_SLUG_CHARS, MAX_TITLE_CHARS
from backend.markup import render
from backend.staff.roles import Permission

router = APIRouter(prefix="/v1/staff/help", tags=["staff"])

MANAGE = Annotated[StaffPrincipal, requires(Permission.SUPPORT_MANAGE)]
ArticleId = Annotated[int, Path(alias="articleId", ge=1, le=MAX_ROW_ID)]
TranslatedLanguage = Annotated[Translated, Path(description="the language of the translation")]


class TranslationOut(BaseModel):
    language: TranslatedLanguage
    title: str
    body: str = Field(description="the Markdown as typed")
    bodyHtml: str = Field(description="its sanitized rendering")
    updatedBy: str
    updatedAt: EpochMs
    outdated: bool = Field(description="the English title or body changed after it was saved")


class StaffArticleOut(BaseModel):
    id: int
    slug: str
    title: str
    body: str = Field(description="the Markdown as typed")
    bodyHtml: str = Field(description="its sanitized rendering")
    published: bool
    createdBy: str
    createdAt: EpochMs
    updatedBy: str
    updatedAt: EpochMs
    translations: list[TranslationOut] = Field(description="the article in the dApp's other languages, by language")


class StaffArticleList(BaseModel):
    articles: list[StaffArticleOut] = Field(description="best match first (no query: most recently changed)")


class ArticleIn(Input):
    slug: str = Field(min_length=1, max_length=MAX_SLUG_CHARS, pattern="^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")
    published: bool

    def draft(self) -> ArticleDraft:
        return ArticleDraft(self.slug, self.title, self.body, self.published)


class TranslationIn(Input):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


class PreviewIn(Input):
    body: str = Field(max_length=MAX_BODY_CHARS, description="Markdown")


class PreviewOut(BaseModel):
    html: str = Field(description="the sanitized rendering, exactly as the help center would show it")


class Deleted(BaseModel):
    id: int
    deleted: bool


def staff_json(view: ArticleView, translations: list[TranslationView]) -> dict[str, Any]:
    return {
        "id": view.id, "slug": view.slug, "title": view.title, "body": view.body, "bodyHtml": view.body_html,
        "published": view.published, "createdBy": view.created_by, "createdAt": view.created_at_ms,
        "updatedBy": view.updated_by, "updatedAt": view.updated_at_ms,
        "translations": [{
            "language": t.language, "title": t.title, "body": t.body, "bodyHtml": t.body_html,
            "updatedBy": t.updated_by, "updatedAt": t.updated_at_ms, "outdated": t.outdated,
        } for t in translations],
    }  # fmt: skip


def with_translations(session: Session, views: list[ArticleView]) -> list[dict[str, Any]]:
    """The articles as staff see them, each with its translations (read in one query)."""
    translations = translations_of(session, [view.id for view in views])
    return [staff_json(view, translations.get(view.id, [])) for view in views]


def article_after(container: Container, article_id: int, write: Callable[[Session], None]) -> dict[str, Any]:
    """Commits `write` (a change to one of the article's translations) and answers the article as it is then."""
    with container.uow() as uow:
        write(uow.session)
        uow.commit()
        return with_translations(uow.session, [get(uow.session, article_id)])[0]


@router.get("/articles", response_model=None, responses={
    **documented(StaffArticleList, "every article, published or not"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def list_articles(
    staff: MANAGE,
    container: ContainerDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    """Every article, published or not, searched as the public search does (permission support.manage)."""

    def read() -> list[dict[str, Any]]:
        with container.uow() as uow:
            return with_translations(uow.session, search(uow.session, q, limit=limit, published_only=False))

    return {"articles": await asyncio.to_thread(read)}


@router.get("/articles/{articleId}", response_model=None, responses={
    **documented(StaffArticleOut, "the article"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def read_article(article_id: ArticleId, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """One article, published or not (permission support.manage)."""

    def read() -> dict[str, Any]:
        with container.uow() as uow:
            return with_translations(uow.session, [get(uow.session, article_id)])[0]

    return await asyncio.to_thread(read)


@router.post("/articles", status_code=201, response_model=None, responses={
    **documented(StaffArticleOut, "written", 201), **STAFF_ONLY, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def create_article(body: ArticleIn, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Writes a new article (permission support.manage; audit-logged "help.article.create"); 409
    HELP_SLUG_TAKEN if another article has the slug."""
    actor, at = staff.actor, now_ms()

    def write() -> dict[str, Any]:
        with container.uow() as uow:
            view = create(uow.session, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return staff_json(view, [])

    return await asyncio.to_thread(write)


@router.put("/articles/{articleId}", response_model=None, responses={
    **documented(StaffArticleOut, "changed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def change_article(
    article_id: ArticleId, body: ArticleIn, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Replaces an article's slug, title, body and published flag: publish or unpublish it here (permission
    support.manage; audit-logged "help.article.change")."""
    actor, at = staff.actor, now_ms()

    def write() -> dict[str, Any]:
        with container.uow() as uow:
            view = change(uow.session, article_id, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return with_translations(uow.session, [view])[0]

    return await asyncio.to_thread(write)


@router.put("/articles/{articleId}/translations/{language}", response_model=None, responses={
    **documented(StaffArticleOut, "the article with the translation written"), **STAFF_ONLY, 404: ERROR, 409: ERROR,
    422: ERROR,
})  # fmt: skip
async def translate_article(
    article_id: ArticleId, language: TranslatedLanguage, body: TranslationIn, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Writes or rewrites the article's title and body in `language`, which its readers then see instead of the
    English (permission support.manage; audit-logged "help.article.translate")."""
    actor, at = staff.actor, now_ms()

    def write(session: Session) -> None:
        translate(session, article_id, language, body.title, body.body, actor=actor.name, ip=actor.ip, now_ms=at)

    return await asyncio.to_thread(article_after, container, article_id, write)


@router.delete("/articles/{articleId}/translations/{language}", response_model=None, responses={
    **documented(StaffArticleOut, "the article without the translation"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def untranslate_article(
    article_id: ArticleId, language: TranslatedLanguage, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Removes the article's translation into `language`: its readers see the English again (permission
    support.manage; audit-logged "help.article.untranslate" with what it said; 404 HELP_ARTICLE_NOT_FOUND naming
    `language` when there is none)."""
    actor = staff.actor

    def write(session: Session) -> None:
        untranslate(session, article_id, language, actor=actor.name, ip=actor.ip)

    return await asyncio.to_thread(article_after, container, article_id, write)


@router.delete("/articles/{articleId}", response_model=None, responses={
    **documented(Deleted, "deleted"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def delete_article(article_id: ArticleId, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Deletes an article (permission support.manage; audit-logged "help.article.delete" with what it said)."""
    actor = staff.actor

    def write() -> None:
        with container.uow() as uow:
            delete(uow.session, article_id, actor=actor.name, ip=actor.ip)
            uow.commit()

    await asyncio.to_thread(write)
    return {"id": article_id, "deleted": True}


@router.post("/preview", response_model=None, responses={
    **documented(PreviewOut, "the rendering"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def preview(body: PreviewIn, staff: MANAGE) -> dict[str, Any]:
    """Markdown rendered and sanitized as the help center shows it (permission support.manage; changes
    nothing)."""
    return {"html": render(body.body)}
