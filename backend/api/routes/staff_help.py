"""Help-center articles in the back office (issue 16): list (published or not), read, write in Markdown with
a server-rendered preview, publish or unpublish, delete. Each needs the permission support.manage (403
STAFF_FORBIDDEN otherwise), changes carry the CSRF token, and each change is in the audit log
("help.article.create", "help.article.change", "help.article.delete")."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.announcements import now_ms
from backend.api.schemas import ERROR, STAFF_ONLY, EpochMs, Input, documented
from backend.db.types import MAX_ROW_ID
from backend.help import ArticleDraft, ArticleView, change, create, delete, get, search
from backend.help.articles import MAX_BODY_CHARS, MAX_SLUG_CHARS, MAX_TITLE_CHARS
from backend.markup import render
from backend.staff.roles import Permission

router = APIRouter(prefix="/v1/staff/help", tags=["staff"])

MANAGE = Annotated[StaffPrincipal, requires(Permission.SUPPORT_MANAGE)]
ArticleId = Annotated[int, Path(alias="articleId", ge=1, le=MAX_ROW_ID)]


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


class StaffArticleList(BaseModel):
    articles: list[StaffArticleOut] = Field(description="best match first (no query: most recently changed)")


class ArticleIn(Input):
    slug: str = Field(min_length=1, max_length=MAX_SLUG_CHARS, pattern="^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")
    published: bool

    def draft(self) -> ArticleDraft:
        return ArticleDraft(self.slug, self.title, self.body, self.published)


class PreviewIn(Input):
    body: str = Field(max_length=MAX_BODY_CHARS, description="Markdown")


class PreviewOut(BaseModel):
    html: str = Field(description="the sanitized rendering, exactly as the help center would show it")


class Deleted(BaseModel):
    id: int
    deleted: bool


def staff_json(view: ArticleView) -> dict[str, Any]:
    return {
        "id": view.id, "slug": view.slug, "title": view.title, "body": view.body, "bodyHtml": view.body_html,
        "published": view.published, "createdBy": view.created_by, "createdAt": view.created_at_ms,
        "updatedBy": view.updated_by, "updatedAt": view.updated_at_ms,
    }  # fmt: skip


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

    def read() -> list[ArticleView]:
        with container.uow() as uow:
            return search(uow.session, q, limit=limit, published_only=False)

    return {"articles": [staff_json(view) for view in await asyncio.to_thread(read)]}


@router.get("/articles/{articleId}", response_model=None, responses={
    **documented(StaffArticleOut, "the article"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def read_article(article_id: ArticleId, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """One article, published or not (permission support.manage)."""

    def read() -> ArticleView:
        with container.uow() as uow:
            return get(uow.session, article_id)

    return staff_json(await asyncio.to_thread(read))


@router.post("/articles", status_code=201, response_model=None, responses={
    **documented(StaffArticleOut, "written", 201), **STAFF_ONLY, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def create_article(body: ArticleIn, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Writes a new article (permission support.manage; audit-logged "help.article.create"); 409
    HELP_SLUG_TAKEN if another article has the slug."""
    actor, at = staff.actor, now_ms()

    def write() -> ArticleView:
        with container.uow() as uow:
            view = create(uow.session, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return view

    return staff_json(await asyncio.to_thread(write))


@router.put("/articles/{articleId}", response_model=None, responses={
    **documented(StaffArticleOut, "changed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def change_article(
    article_id: ArticleId, body: ArticleIn, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Replaces an article's slug, title, body and published flag: publish or unpublish it here (permission
    support.manage; audit-logged "help.article.change")."""
    actor, at = staff.actor, now_ms()

    def write() -> ArticleView:
        with container.uow() as uow:
            view = change(uow.session, article_id, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return view

    return staff_json(await asyncio.to_thread(write))


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
