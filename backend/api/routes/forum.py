"""The community forum (issue 16): anyone reads, a signed-in wallet (SIWE session) writes.

Reads: categories (named in the reader's language, `lang`, where translated), a category's threads (pinned first,
then newest activity; `cursor` pages), a thread, its posts (oldest first; `cursor` is the last post id seen),
full-text search (best match first, or newest first).
Writes: a new thread with its first post, a reply, a report of a post. Post bodies are Markdown: the server
renders them once with `backend.markup.render` and sends `messageHtml`, safe to insert as HTML; titles, reasons
and `message` (the source) are text, never HTML. What moderators hid is not shown. A banned wallet gets 403
FORUM_BANNED, a locked thread 409 FORUM_THREAD_LOCKED, a flood 429 FORUM_POSTING_LIMITED with Retry-After.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, CurrentWallet
from backend.api.routes.pagination import IdCursor, before, next_cursor
from backend.api.schemas import ERROR, SIGNED_IN_CHANGE, EpochMs, Input, Language, documented
from backend.db.types import MAX_ROW_ID
from backend.forum.rules import (
    MAX_BODY_CHARS,
    MAX_QUERY_CHARS,
    MAX_REASON_CHARS,
    MAX_TITLE_CHARS,
    SEARCH_CURSOR,
    THREAD_CURSOR,
    PostingLimits,
    SearchKey,
    SearchOrder,
    parse_search_cursor,
    parse_thread_cursor,
)
from backend.forum.search import search_posts
from backend.forum.threads import (
    create_thread,
    get_thread,
    list_categories,
    list_posts,
    list_threads,
    reply,
    report_post,
    thread_key,
)
from backend.forum.views import CategoryView, PostView, SearchHit, ThreadView
from backend.settings import Settings

router = APIRouter(prefix="/v1/forum", tags=["forum"])
ForumLimit = Annotated[int, Query(ge=1, le=100, description="page size, 1-100")]
ThreadCursor = Annotated[
    str | None, Query(pattern=THREAD_CURSOR, description="opaque: `next` of the previous page")
]
ThreadId = Annotated[int, Path(alias="threadId", ge=1, le=MAX_ROW_ID)]
PostId = Annotated[int, Path(alias="postId", ge=1, le=MAX_ROW_ID)]
Slug = Annotated[str, Field(min_length=1, max_length=40, pattern="^[a-z0-9-]+$")]
SearchCursor = Annotated[
    str | None, Query(pattern=SEARCH_CURSOR, description="opaque: `next` of the previous page of the search")
]
SORT_DESCRIPTION = (
    "`relevance` (default): best match first: posts where the words occur more often rank higher (a thread's "
    "title counts as part of its first post); equal matches newest first; of the newest 1,000 matches. `newest`: "
    "every match, newest first"
)


class CategoryOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    threadCount: int = Field(ge=0)
    language: Language = Field(description="that of name and description: `lang` where translated, else en")


class CategoryList(BaseModel):
    categories: list[CategoryOut]


class ThreadOut(BaseModel):
    id: int
    category: str = Field(description="the category's slug")
    title: str = Field(description="plain text: show it as text, never as HTML")
    author: str = Field(description="the wallet that wrote it (EIP-55)")
    pinned: bool
    locked: bool = Field(description="true: it takes no replies")
    hidden: bool = Field(description="always false for users; staff lists show hidden ones too")
    replyCount: int = Field(ge=0)
    createdAt: EpochMs
    lastPostAt: EpochMs


class ThreadPage(BaseModel):
    threads: list[ThreadOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class PostOut(BaseModel):
    id: int
    threadId: int
    author: str = Field(description="the wallet that wrote it (EIP-55)")
    message: str = Field(description="the Markdown as typed: text, never HTML")
    messageHtml: str = Field(description="the Markdown rendered and sanitized by the server: safe to insert as HTML")
    hidden: bool
    createdAt: EpochMs


class PostPage(BaseModel):
    posts: list[PostOut]
    next: str | None = Field(description="`cursor` of the next page (oldest first); null on the last page")


class NewThreadOut(BaseModel):
    thread: ThreadOut
    post: PostOut


class SearchHitOut(BaseModel):
    post: PostOut
    threadTitle: str = Field(description="plain text")
    category: str


class SearchPage(BaseModel):
    results: list[SearchHitOut]
    next: str | None = Field(
        description="`cursor` of the next page of the same search (same `q` and `sort`); null on the last page"
    )


class ReportOut(BaseModel):
    id: int = Field(description="the report's id")


class NewThread(Input):
    category: Slug
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    message: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


class NewPost(Input):
    message: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


class NewReport(Input):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


def category_json(view: CategoryView) -> dict[str, Any]:
    return {
        "id": view.id, "slug": view.slug, "name": view.name, "description": view.description,
        "threadCount": view.thread_count, "language": view.language,
    }  # fmt: skip


def thread_json(view: ThreadView) -> dict[str, Any]:
    return {
        "id": view.id, "category": view.category_slug, "title": view.title, "author": view.author,
        "pinned": view.pinned, "locked": view.locked, "hidden": view.hidden, "replyCount": view.reply_count,
        "createdAt": view.created_at_ms, "lastPostAt": view.last_post_at_ms,
    }  # fmt: skip


def post_json(view: PostView) -> dict[str, Any]:
    return {
        "id": view.id, "threadId": view.thread_id, "author": view.author, "message": view.body_source,
        "messageHtml": view.body_html, "hidden": view.hidden, "createdAt": view.created_at_ms,
    }  # fmt: skip


def posting_limits(settings: Settings) -> PostingLimits:
    return PostingLimits(settings.forum_posts_per_minute, settings.forum_posts_per_hour)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@router.get("/categories", response_model=None, responses={
    **documented(CategoryList, "every category, in order"), 422: ERROR,
})  # fmt: skip
async def categories(
    container: ContainerDep,
    lang: Annotated[Language, Query(description="the reader's language: names in it where translated")] = "en",
) -> dict[str, Any]:
    """The forum's categories, with how many threads each holds, each named in `lang` where translated."""

    def read() -> list[CategoryView]:
        with container.uow() as uow:
            return list_categories(uow.session)

    return {"categories": [category_json(view.in_language(lang)) for view in await asyncio.to_thread(read)]}


@router.get("/threads", response_model=None, responses={
    **documented(ThreadPage, "pinned threads first, then newest activity first"), 404: ERROR, 422: ERROR,
})  # fmt: skip
async def threads(
    container: ContainerDep,
    category: Annotated[str | None, Query(max_length=40, pattern="^[a-z0-9-]+$", description="a slug")] = None,
    limit: ForumLimit = 20,
    cursor: ThreadCursor = None,
) -> dict[str, Any]:
    """Threads of a category (all categories without one); 404 FORUM_CATEGORY_NOT_FOUND for an unknown one."""
    after = parse_thread_cursor(cursor)

    def read() -> list[ThreadView]:
        with container.uow() as uow:
            return list_threads(uow.session, category=category, limit=limit, after=after)

    views = await asyncio.to_thread(read)
    return {
        "threads": [thread_json(view) for view in views],
        "next": next_cursor(views, limit, lambda view: thread_key(view).cursor()),
    }


@router.post("/threads", status_code=201, response_model=None, responses={
    **documented(NewThreadOut, "the thread and its first post", 201), **SIGNED_IN_CHANGE, 404: ERROR,
    422: ERROR, 429: ERROR,
})  # fmt: skip
async def new_thread(body: NewThread, wallet: CurrentWallet, container: ContainerDep) -> dict[str, Any]:
    """Starts a thread in a category with its first post (Markdown). 403 FORUM_BANNED, 429
    FORUM_POSTING_LIMITED (Retry-After)."""
    limits = posting_limits(container.settings)

    def write() -> tuple[ThreadView, PostView]:
        with container.uow() as uow:
            made = create_thread(
                uow.session, body.category, body.title, body.message, author=wallet, limits=limits, now_ms=_now_ms()
            )
            uow.commit()
            return made

    thread, post = await asyncio.to_thread(write)
    return {"thread": thread_json(thread), "post": post_json(post)}


@router.get("/threads/{threadId}", response_model=None, responses={
    **documented(ThreadOut, "the thread"), 404: ERROR, 422: ERROR,
})  # fmt: skip
async def thread(thread_id: ThreadId, container: ContainerDep) -> dict[str, Any]:
    """One thread; 404 FORUM_THREAD_NOT_FOUND if unknown or hidden."""

    def read() -> ThreadView:
        with container.uow() as uow:
            return get_thread(uow.session, thread_id)

    return thread_json(await asyncio.to_thread(read))


@router.get("/threads/{threadId}/posts", response_model=None, responses={
    **documented(PostPage, "posts oldest first"), 404: ERROR, 422: ERROR,
})  # fmt: skip
async def posts(
    thread_id: ThreadId, container: ContainerDep, limit: ForumLimit = 20, cursor: IdCursor = None
) -> dict[str, Any]:
    """A thread's posts, oldest first; `cursor` is the previous page's `next`."""

    def read() -> list[PostView]:
        with container.uow() as uow:
            return list_posts(uow.session, thread_id, limit=limit, after_id=before(cursor))

    views = await asyncio.to_thread(read)
    return {"posts": [post_json(v) for v in views], "next": next_cursor(views, limit, lambda v: str(v.id))}


@router.post("/threads/{threadId}/posts", status_code=201, response_model=None, responses={
    **documented(PostOut, "the reply", 201), **SIGNED_IN_CHANGE, 404: ERROR, 409: ERROR, 422: ERROR,
    429: ERROR,
})  # fmt: skip
async def new_post(
    thread_id: ThreadId, body: NewPost, wallet: CurrentWallet, container: ContainerDep
) -> dict[str, Any]:
    """Replies to a thread. 403 FORUM_BANNED, 409 FORUM_THREAD_LOCKED, 429 FORUM_POSTING_LIMITED (Retry-After)."""
    limits = posting_limits(container.settings)

    def write() -> PostView:
        with container.uow() as uow:
            made = reply(uow.session, thread_id, body.message, author=wallet, limits=limits, now_ms=_now_ms())
            uow.commit()
            return made

    return post_json(await asyncio.to_thread(write))


@router.post("/posts/{postId}/report", status_code=201, response_model=None, responses={
    **documented(ReportOut, "the report, queued for the moderators", 201), **SIGNED_IN_CHANGE, 404: ERROR, 409: ERROR,
    422: ERROR, 429: ERROR,
})  # fmt: skip
async def report(post_id: PostId, body: NewReport, wallet: CurrentWallet, container: ContainerDep) -> dict[str, Any]:
    """Reports another wallet's post to the moderators, with a reason; once per wallet per post (409
    FORUM_ALREADY_REPORTED)."""
    per_hour = container.settings.forum_reports_per_hour

    def write() -> int:
        with container.uow() as uow:
            made = report_post(uow.session, post_id, body.reason, reporter=wallet, per_hour=per_hour, now_ms=_now_ms())
            uow.commit()
            return made

    return {"id": await asyncio.to_thread(write)}


@router.get("/search", response_model=None, responses={
    **documented(SearchPage, "matching posts, best match first (ties newest first), or newest first"), 422: ERROR,
})  # fmt: skip
async def search(
    container: ContainerDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="words; every one must appear")],
    sort: Annotated[SearchOrder, Query(description=SORT_DESCRIPTION)] = SearchOrder.RELEVANCE,
    limit: ForumLimit = 20,
    cursor: SearchCursor = None,
) -> dict[str, Any]:
    """Full-text search of the posts users see (PostgreSQL text search or SQLite FTS5), best match first by
    default. Pages never repeat or skip a post when new posts arrive between them."""
    after = parse_search_cursor(cursor, sort)

    def read() -> list[SearchHit]:
        with container.uow() as uow:
            return search_posts(uow.session, q, order=sort, limit=limit, after=after)

    hits = await asyncio.to_thread(read)
    return {
        "results": [
            {"post": post_json(h.post), "threadTitle": h.thread_title, "category": h.category_slug} for h in hits
        ],
        "next": next_cursor(hits, limit, lambda h: SearchKey(h.rank, h.post.id).cursor(sort)),
    }
