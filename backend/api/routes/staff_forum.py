"""Forum moderation in the back office (issue 16), permission forum.moderate on every route (403
STAFF_FORBIDDEN without it; changes also need the CSRF token): the reports queue (hide the post, or dismiss
the report), hide and unhide posts and threads, pin and lock threads, ban and unban wallets with a reason,
add, change, move and delete (empty) categories. Every change is in the audit log (`backend.forum.moderation`
names the actions)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.forum import (
    CategoryOut,
    ForumLimit,
    PostId,
    PostOut,
    ThreadCursor,
    ThreadId,
    ThreadOut,
    ThreadPage,
    category_json,
    post_json,
    thread_json,
)
from backend.api.routes.pagination import IdCursor, before, next_cursor
from backend.api.schemas import ERROR, STAFF_ONLY, Address, EpochMs, Input, Translated, documented
from backend.bootstrap import Container
from backend.db.types import MAX_ROW_ID
from backend.forum.moderation import (
    CategoryMove,
    ThreadAction,
    ban_wallet,
    change_category,
    create_category,
    delete_category,
    dismiss_report,
    list_bans,
    list_reports,
    moderate_thread,
    move_category,
    set_post_hidden,
    unban_wallet,
)
from backend.forum.rules import BAN_CURSOR, MAX_REASON_CHARS, ban_cursor, parse_ban_cursor, parse_thread_cursor
from backend.forum.threads import list_categories, list_threads, thread_key
from backend.forum.views import BanView, CategoryView, PostView, ReportView, ThreadView
from backend.staff.roles import Permission
from backend.trading.rules.accounts import checksum
from backend.trading.rules.orders import parse_address

router = APIRouter(prefix="/v1/staff/forum", tags=["staff"])

MODERATE = Annotated[StaffPrincipal, requires(Permission.FORUM_MODERATE)]
ReportId = Annotated[int, Path(alias="reportId", ge=1, le=MAX_ROW_ID)]
ReportStatus = Literal["open", "hidden", "dismissed"]
T = TypeVar("T")
CategorySlug = Annotated[str, Path(max_length=40, pattern="^[a-z0-9-]+$")]


class ReportOut(BaseModel):
    id: int
    post: PostOut
    threadId: int
    threadTitle: str = Field(description="plain text")
    reporter: str = Field(description="the reporting wallet (EIP-55)")
    reason: str = Field(description="as typed: text, never HTML")
    status: ReportStatus
    openReportsOfPost: int = Field(ge=0)
    createdAt: EpochMs
    resolvedBy: str | None
    resolvedAt: EpochMs | None


class ReportPage(BaseModel):
    reports: list[ReportOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class BanOut(BaseModel):
    wallet: Address
    reason: str = Field(description="as typed: text, never HTML")
    bannedBy: str = Field(description='"staff:<e-mail>"')
    bannedAt: EpochMs


BanCursor = Annotated[str | None, Query(pattern=BAN_CURSOR, description="opaque: `next` of the previous page")]


class BanList(BaseModel):
    bans: list[BanOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class Unbanned(BaseModel):
    wallet: Address


class NewBan(Input):
    wallet: str = Field(min_length=1, max_length=42, description="0x and 40 hex digits, any case")
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS, description="why (audit log)")


class Unban(Input):
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS, description="why (audit log)")


class CategoryText(Input):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=300)


class CategoryTranslationIn(CategoryText):
    stillFits: bool = Field(
        default=False,
        description="sent as it was, it still names what the English sent with it names: not outdated",
    )


class CategoryIn(CategoryText):
    translations: dict[Translated, CategoryTranslationIn] = Field(
        default_factory=dict, description="its name and description by language; a language left out has none"
    )

    def translated(self) -> dict[str, tuple[str, str]]:
        return {language: (text.name, text.description) for language, text in self.translations.items()}

    def still_fit(self) -> frozenset[str]:
        return frozenset(language for language, text in self.translations.items() if text.stillFits)


class CategoryMoveIn(Input):
    direction: CategoryMove = Field(description="up: before the category listed before it; down: after the next")


class NewCategory(CategoryIn):
    slug: str = Field(min_length=1, max_length=40, description="lower-case letters, digits and inner hyphens")


class CategoryTranslationOut(BaseModel):
    name: str
    description: str
    outdated: bool = Field(description="written for an English name and description since changed")


class StaffCategoryOut(CategoryOut):
    translations: dict[Translated, CategoryTranslationOut] = Field(description="by language; en is the category itself")


class StaffCategoryList(BaseModel):
    categories: list[StaffCategoryOut]


def report_json(view: ReportView) -> dict[str, Any]:
    return {
        "id": view.id, "post": post_json(view.post), "threadId": view.thread_id, "threadTitle": view.thread_title,
        "reporter": view.reporter, "reason": view.reason, "status": view.status,
        "openReportsOfPost": view.reports_of_post, "createdAt": view.created_at_ms, "resolvedBy": view.resolved_by,
        "resolvedAt": view.resolved_at_ms,
    }  # fmt: skip


def ban_json(view: BanView) -> dict[str, Any]:
    return {"wallet": view.wallet, "reason": view.reason, "bannedBy": view.banned_by, "bannedAt": view.banned_at_ms}


def staff_category_json(view: CategoryView) -> dict[str, Any]:
    translations = {
        language: {**words, "outdated": language in view.outdated} for language, words in view.translations.items()
    }
    return {**category_json(view), "translations": translations}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _wallet(address: str) -> str:
    return checksum(parse_address(address, "wallet"))


@router.get("/reports", response_model=None, responses={
    **documented(ReportPage, "reports, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def reports(
    staff: MODERATE,
    container: ContainerDep,
    status: Annotated[ReportStatus | None, Query()] = "open",
    limit: ForumLimit = 50,
    cursor: IdCursor = None,
) -> dict[str, Any]:
    """The reports queue: open reports by default, newest first, each with the post it is about."""

    def read() -> list[ReportView]:
        with container.uow() as uow:
            return list_reports(uow.session, status=status, limit=limit, below_id=before(cursor))

    views = await asyncio.to_thread(read)
    return {"reports": [report_json(v) for v in views], "next": next_cursor(views, limit, lambda v: str(v.id))}


@router.post("/reports/{reportId}/dismiss", response_model=None, responses={
    **documented(ReportOut, "dismissed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def dismiss(report_id: ReportId, staff: MODERATE, container: ContainerDep) -> dict[str, Any]:
    """Closes an open report, leaving its post as it is (audit-logged "forum.report.dismiss")."""
    actor = staff.actor

    def write() -> ReportView:
        with container.uow() as uow:
            view = dismiss_report(uow.session, report_id, actor=actor.name, ip=actor.ip, now_ms=_now_ms())
            uow.commit()
            return view

    return report_json(await asyncio.to_thread(write))


@router.post("/posts/{postId}/{action}", response_model=None, responses={
    **documented(PostOut, "the post as it is now"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def post_visibility(
    post_id: PostId, action: Literal["hide", "unhide"], staff: MODERATE, container: ContainerDep
) -> dict[str, Any]:
    """Hides a post from users (its open reports close as "hidden"), or shows it again (audit-logged
    "forum.post.hide")."""
    actor = staff.actor

    def write() -> PostView:
        with container.uow() as uow:
            view = set_post_hidden(
                uow.session, post_id, action == "hide", actor=actor.name, ip=actor.ip, now_ms=_now_ms()
            )
            uow.commit()
            return view

    return post_json(await asyncio.to_thread(write))


@router.get("/threads", response_model=None, responses={
    **documented(ThreadPage, "threads, hidden ones too: pinned first, then newest activity"), **STAFF_ONLY,
    404: ERROR, 422: ERROR,
})  # fmt: skip
async def threads(
    staff: MODERATE,
    container: ContainerDep,
    category: Annotated[str | None, Query(max_length=40, pattern="^[a-z0-9-]+$")] = None,
    limit: ForumLimit = 50,
    cursor: ThreadCursor = None,
) -> dict[str, Any]:
    """Threads as moderators see them: hidden ones included."""
    after = parse_thread_cursor(cursor)

    def read() -> list[ThreadView]:
        with container.uow() as uow:
            return list_threads(uow.session, category=category, limit=limit, after=after, include_hidden=True)

    views = await asyncio.to_thread(read)
    return {
        "threads": [thread_json(v) for v in views],
        "next": next_cursor(views, limit, lambda v: thread_key(v).cursor()),
    }


@router.post("/threads/{threadId}/{action}", response_model=None, responses={
    **documented(ThreadOut, "the thread as it is now"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def thread_action(
    thread_id: ThreadId, action: ThreadAction, staff: MODERATE, container: ContainerDep
) -> dict[str, Any]:
    """Pins, unpins, locks, unlocks, hides or unhides a thread (audit-logged "forum.thread.pin", ".lock",
    ".hide"); a hidden thread is gone for users, its posts with it (lists and search)."""
    actor = staff.actor

    def write() -> ThreadView:
        with container.uow() as uow:
            view = moderate_thread(uow.session, thread_id, action, actor=actor.name, ip=actor.ip)
            uow.commit()
            return view

    return thread_json(await asyncio.to_thread(write))


@router.get("/bans", response_model=None, responses={
    **documented(BanList, "banned wallets, newest ban first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def bans(staff: MODERATE, container: ContainerDep, limit: ForumLimit = 100, cursor: BanCursor = None) -> Any:
    """Wallets banned from posting, newest ban first."""
    after = parse_ban_cursor(cursor)

    def read() -> list[BanView]:
        with container.uow() as uow:
            return list_bans(uow.session, limit=limit, after=after)

    views = await asyncio.to_thread(read)
    next_page = next_cursor(views, limit, lambda v: ban_cursor(v.banned_at_ms, v.wallet))
    return {"bans": [ban_json(v) for v in views], "next": next_page}


@router.post("/bans", status_code=201, response_model=None, responses={
    **documented(BanOut, "the ban", 201), **STAFF_ONLY, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def ban(body: NewBan, staff: MODERATE, container: ContainerDep) -> dict[str, Any]:
    """Bans a wallet from posting, with a reason (audit-logged "forum.ban"); 409 FORUM_ALREADY_BANNED."""
    wallet = _wallet(body.wallet)
    actor = staff.actor

    def write() -> BanView:
        with container.uow() as uow:
            view = ban_wallet(uow.session, wallet, body.reason, actor=actor.name, ip=actor.ip, now_ms=_now_ms())
            uow.commit()
            return view

    return ban_json(await asyncio.to_thread(write))


@router.post("/bans/{wallet}/unban", response_model=None, responses={
    **documented(Unbanned, "the wallet may post again"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def unban(
    wallet: Annotated[str, Path(max_length=42)], staff: MODERATE, container: ContainerDep, body: Unban | None = None
) -> dict[str, Any]:
    """Lifts a wallet's ban (audit-logged "forum.unban"); 404 FORUM_BAN_NOT_FOUND if it has none."""
    address = _wallet(wallet)
    reason = body.reason if body is not None else None
    actor = staff.actor

    def write() -> None:
        with container.uow() as uow:
            unban_wallet(uow.session, address, reason, actor=actor.name, ip=actor.ip)
            uow.commit()

    await asyncio.to_thread(write)
    return {"wallet": address}


@router.get("/categories", response_model=None, responses={
    **documented(StaffCategoryList, "every category in its place, in English with its translations"), **STAFF_ONLY,
})  # fmt: skip
async def categories(staff: MODERATE, container: ContainerDep) -> dict[str, Any]:
    """The categories as moderators edit them: the English name and description, each translation, and the number
    of threads users see in it."""

    def read() -> list[CategoryView]:
        with container.uow() as uow:
            return list_categories(uow.session)

    return _category_list(await asyncio.to_thread(read))


@router.post("/categories", status_code=201, response_model=None, responses={
    **documented(StaffCategoryOut, "the new category", 201), **STAFF_ONLY, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def new_category(body: NewCategory, staff: MODERATE, container: ContainerDep) -> dict[str, Any]:
    """Adds a category after the others, named in English and optionally in the dApp's other languages
    (audit-logged "forum.category.create"); 409 FORUM_CATEGORY_EXISTS."""
    actor = staff.actor
    return staff_category_json(await _committed(container, lambda session: create_category(
        session, body.slug, body.name, body.description, actor=actor.name, ip=actor.ip, now_ms=_now_ms(),
        translations=body.translated(),
    )))  # fmt: skip


@router.put("/categories/{slug}", response_model=None, responses={
    **documented(StaffCategoryOut, "the category as it is now"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def change_category_text(
    slug: CategorySlug,
    body: CategoryIn,
    staff: MODERATE,
    container: ContainerDep,
) -> dict[str, Any]:
    """Renames a category and rewrites its description and translations (each language it keeps must be sent;
    its slug and place stay); audit-logged "forum.category.change"; 404 FORUM_CATEGORY_NOT_FOUND."""
    actor = staff.actor
    return staff_category_json(await _committed(container, lambda session: change_category(
        session, slug, body.name, body.description, actor=actor.name, ip=actor.ip, translations=body.translated(),
        still_fit=body.still_fit(),
    )))  # fmt: skip


@router.post("/categories/{slug}/move", response_model=None, responses={
    **documented(StaffCategoryList, "every category in its new place"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def move_category_place(
    slug: CategorySlug,
    body: CategoryMoveIn,
    staff: MODERATE,
    container: ContainerDep,
) -> dict[str, Any]:
    """Moves a category one place up or down the list users see (audit-logged "forum.category.move"; the first
    moved up or the last moved down stays, and nothing is logged); 404 FORUM_CATEGORY_NOT_FOUND."""
    actor = staff.actor
    return _category_list(await _committed(container, lambda session: move_category(
        session, slug, body.direction, actor=actor.name, ip=actor.ip,
    )))  # fmt: skip


@router.delete("/categories/{slug}", response_model=None, responses={
    **documented(StaffCategoryList, "every category left"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def remove_category(slug: CategorySlug, staff: MODERATE, container: ContainerDep) -> dict[str, Any]:
    """Deletes a category no thread was posted in (a mistyped slug stays otherwise: it never changes);
    audit-logged "forum.category.delete"; 409 FORUM_CATEGORY_NOT_EMPTY while threads are in it, hidden ones too;
    404 FORUM_CATEGORY_NOT_FOUND."""
    actor = staff.actor
    return _category_list(await _committed(container, lambda session: delete_category(
        session, slug, actor=actor.name, ip=actor.ip,
    )))  # fmt: skip


async def _committed(container: Container, write: Callable[[Session], T]) -> T:
    """What `write` (a change to the categories) returns, run in a unit of work off the event loop and committed."""

    def run() -> T:
        with container.uow() as uow:
            done = write(uow.session)
            uow.commit()
            return done

    return await asyncio.to_thread(run)


def _category_list(views: list[CategoryView]) -> dict[str, Any]:
    return {"categories": [staff_category_json(view) for view in views]}
