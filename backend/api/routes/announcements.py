"""Announcements for everyone (issue 16): those in their window now, as JSON for the dApp and as an Atom feed.

An announcement shows while its start <= now < its end and it is not withdrawn. `bodyHtml` is the sanitized
rendering of its Markdown (backend.markup): safe to insert as HTML. Answers are not cached (`no-cache`), so a
change or a withdrawal shows on the next read.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from backend.announcements import MEDIA_TYPE, AnnouncementView, atom_feed, current, feed_entries
from backend.api.deps import ContainerDep
from backend.api.schemas import EpochMs, documented

router = APIRouter(prefix="/v1", tags=["announcements"])
NO_CACHE = {"Cache-Control": "no-cache"}


class AnnouncementOut(BaseModel):
    id: int
    title: str = Field(description="as typed: show it as text, never as HTML")
    bodyHtml: str = Field(description="the Markdown body rendered and sanitized on the server: safe as HTML")
    severity: Literal["info", "warning", "critical"]
    placement: Literal["banner", "dialog"]
    startsAt: EpochMs
    endsAt: EpochMs = Field(description="shown until just before this time")
    updatedAt: EpochMs


class AnnouncementList(BaseModel):
    announcements: list[AnnouncementOut] = Field(description="in their window now, newest start first")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def announcement_json(view: AnnouncementView) -> dict[str, Any]:
    """The public JSON of an announcement."""
    return {
        "id": view.id, "title": view.title, "bodyHtml": view.body_html, "severity": view.severity,
        "placement": view.placement, "startsAt": view.starts_at_ms, "endsAt": view.ends_at_ms,
        "updatedAt": view.updated_at_ms,
    }  # fmt: skip


@router.get("/announcements", response_model=None, responses=documented(AnnouncementList, "the current ones"))
async def announcements(container: ContainerDep, response: Response) -> dict[str, Any]:
    """The announcements in their window now (start <= now < end), not withdrawn, newest start first."""
    at = now_ms()

    def read() -> list[AnnouncementView]:
        with container.uow() as uow:
            return current(uow.session, at)

    response.headers.update(NO_CACHE)
    return {"announcements": [announcement_json(view) for view in await asyncio.to_thread(read)]}


@router.get("/announcements.atom", response_class=Response, responses={
    200: {"description": "an Atom 1.0 feed (RFC 4287)",
          "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
})  # fmt: skip
async def announcements_feed(request: Request, container: ContainerDep) -> Response:
    """The announcements as an Atom 1.0 feed: those that have started (ended ones too), not withdrawn, newest
    first, at most 50; each entry's content is its sanitized HTML (`type="html"`)."""
    at = now_ms()

    def read() -> list[AnnouncementView]:
        with container.uow() as uow:
            return feed_entries(uow.session, at)

    entries = await asyncio.to_thread(read)
    site = container.settings.link_base(str(request.base_url))
    document = atom_feed(entries, site_url=site, feed_url=f"{site}/v1/announcements.atom", now_ms=at)
    return Response(document, media_type=f"{MEDIA_TYPE}; charset=utf-8", headers=NO_CACHE)
