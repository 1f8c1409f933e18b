"""Announcements in the back office (issue 16): list every one, publish, change, withdraw. Each needs the
permission announcements.manage (403 STAFF_FORBIDDEN otherwise), changes carry the CSRF token, and each
change is in the audit log ("announcement.publish", "announcement.change", "announcement.withdraw"). An
announcement's translations are written with it: `translations` holds every language it is translated into."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from backend.announcements import AnnouncementView, Draft, Text, change, list_all, publish, withdraw
from backend.announcements.board import MAX_BODY_CHARS, MAX_EPOCH_MS, MAX_TITLE_CHARS
from backend.api.deps import ContainerDep, StaffPrincipal, requires
from backend.api.routes.announcements import announcement_json, now_ms
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.schemas import ERROR, STAFF_ONLY, EpochMs, Input, Translated, documented
from backend.db.types import MAX_ROW_ID
from backend.staff.roles import Permission

router = APIRouter(prefix="/v1/staff/announcements", tags=["staff"])

MANAGE = Annotated[StaffPrincipal, requires(Permission.ANNOUNCEMENTS_MANAGE)]
AnnouncementId = Annotated[int, Path(alias="announcementId", ge=1, le=MAX_ROW_ID)]
Time = Annotated[int, Field(ge=0, le=MAX_EPOCH_MS, description="milliseconds since the epoch")]


class TranslationOut(BaseModel):
    title: str
    body: str = Field(description="the Markdown as typed")
    bodyHtml: str = Field(description="its sanitized rendering")
    outdated: bool = Field(
        description="written from an English title and body since changed: readers in its language see the English"
    )


class StaffAnnouncementOut(BaseModel):
    id: int
    title: str
    body: str = Field(description="the Markdown as typed")
    bodyHtml: str = Field(description="its sanitized rendering")
    severity: Literal["info", "warning", "critical"]
    placement: Literal["banner", "dialog"]
    startsAt: EpochMs
    endsAt: EpochMs
    updatedAt: EpochMs
    status: Literal["scheduled", "live", "ended", "withdrawn"] = Field(description="by the server's clock now")
    withdrawnAt: EpochMs | None
    withdrawnBy: str | None
    createdBy: str = Field(description='"staff:<e-mail>"')
    createdAt: EpochMs
    updatedBy: str
    translations: dict[Translated, TranslationOut] = Field(description="by language; en is the announcement itself")


class StaffAnnouncementPage(BaseModel):
    announcements: list[StaffAnnouncementOut] = Field(description="newest first")
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class TextIn(Input):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


class TranslationIn(TextIn):
    stillFits: bool = Field(
        default=False,
        description="sent as it was, it still says what the English sent with it says (a typo fixed): it stays "
        "shown; else a translation left as it was while the English changed is outdated",
    )


class AnnouncementIn(TextIn):
    severity: Literal["info", "warning", "critical"]
    placement: Literal["banner", "dialog"]
    startsAt: Time
    endsAt: Time = Field(description="after startsAt (422 ANNOUNCEMENT_WINDOW_INVALID otherwise)")
    translations: dict[Translated, TranslationIn] = Field(
        default_factory=dict, description="its title and body by language; a language left out has none"
    )

    def draft(self) -> Draft:
        translations: dict[str, Text] = {lang: Text(text.title, text.body) for lang, text in self.translations.items()}
        still_fit = frozenset(lang for lang, text in self.translations.items() if text.stillFits)
        return Draft(
            self.title, self.body, self.severity, self.placement, self.startsAt, self.endsAt, translations, still_fit
        )


def staff_json(view: AnnouncementView, at_ms: int) -> dict[str, Any]:
    public = announcement_json(view)
    del public["language"]  # staff read the English text, with every translation beside it
    return {
        **public, "body": view.body, "status": view.status(at_ms),
        "withdrawnAt": view.withdrawn_at_ms, "withdrawnBy": view.withdrawn_by, "createdBy": view.created_by,
        "createdAt": view.created_at_ms, "updatedBy": view.updated_by,
        "translations": {
            language: {"title": text.title, "body": text.body, "bodyHtml": text.body_html, "outdated": text.outdated}
            for language, text in view.translations.items()
        },
    }  # fmt: skip


@router.get("", response_model=None, responses={
    **documented(StaffAnnouncementPage, "every announcement, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def list_announcements(
    staff: MANAGE, container: ContainerDep, limit: Limit = 100, cursor: IdCursor = None
) -> dict[str, Any]:
    """Every announcement, scheduled, live, ended or withdrawn (permission announcements.manage)."""

    def read() -> list[AnnouncementView]:
        with container.uow() as uow:
            return list_all(uow.session, limit=limit, below_id=before(cursor))

    views, at = await asyncio.to_thread(read), now_ms()
    return {
        "announcements": [staff_json(view, at) for view in views],
        "next": next_cursor(views, limit, lambda v: str(v.id)),
    }


@router.post("", status_code=201, response_model=None, responses={
    **documented(StaffAnnouncementOut, "published", 201), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def publish_announcement(body: AnnouncementIn, staff: MANAGE, container: ContainerDep) -> dict[str, Any]:
    """Publishes an announcement shown from startsAt until endsAt (permission announcements.manage;
    audit-logged "announcement.publish")."""
    actor, at = staff.actor, now_ms()

    def write() -> AnnouncementView:
        with container.uow() as uow:
            view = publish(uow.session, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return view

    return staff_json(await asyncio.to_thread(write), at)


@router.put("/{announcementId}", response_model=None, responses={
    **documented(StaffAnnouncementOut, "changed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def change_announcement(
    announcement_id: AnnouncementId, body: AnnouncementIn, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Replaces every field of an announcement; an end in the past ends it now (permission
    announcements.manage; audit-logged "announcement.change"). A withdrawn one is 409 ANNOUNCEMENT_WITHDRAWN."""
    actor, at = staff.actor, now_ms()

    def write() -> AnnouncementView:
        with container.uow() as uow:
            view = change(uow.session, announcement_id, body.draft(), actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return view

    return staff_json(await asyncio.to_thread(write), at)


@router.post("/{announcementId}/withdraw", response_model=None, responses={
    **documented(StaffAnnouncementOut, "withdrawn"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def withdraw_announcement(
    announcement_id: AnnouncementId, staff: MANAGE, container: ContainerDep
) -> dict[str, Any]:
    """Takes an announcement down for good (permission announcements.manage; audit-logged
    "announcement.withdraw"); it stays in the staff list as withdrawn."""
    actor, at = staff.actor, now_ms()

    def write() -> AnnouncementView:
        with container.uow() as uow:
            view = withdraw(uow.session, announcement_id, actor=actor.name, ip=actor.ip, now_ms=at)
            uow.commit()
            return view

    return staff_json(await asyncio.to_thread(write), at)
