"""Announcements for everyone (issue 16): those in their window now, as JSON for the dApp and as an Atom feed.

An announcement shows while its start <= now < its end and it is not withdrawn. `bodyHtml` is the sanitized
rendering of its Markdown (backend.markup): safe to insert as HTML. Answers are not cached (`no-cache`), so a
change or a withdrawal shows on the next read. `lang` (the dApp's language) shows each announcement's translation
into it where there is one; `language` says which text came.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from backend.accounts.languages import DEFAULT_LANGUAGE
from backend.announcements import MEDIA_TYPE, AnnouncementView, atom_feed, current, feed_entries
from backend.api.deps import ContainerDep
from backend.api.schemas import ERROR, EpochMs, Language, documented

router = APIRouter(prefix="/v1", tags=["announcements"])
NO_CACHE = {"Cache-Control": "no-cache"}
LanguageQuery = Annotated[
    Language, Query(description="the reader's language: each announcement in it where translated, else in English")
]


class AnnouncementOut(BaseModel):
    id: int
    title: str = Field(description="as typed: show it as text, never as HTML")
    bodyHtml: str = Field(description="the Markdown body rendered and sanitized on the server: safe as HTML")
    severity: Literal["info", "warning", "critical"]
    placement: Literal["banner", "dialog"]
    startsAt: EpochMs
    endsAt: EpochMs = Field(description="shown until just before this time")
    updatedAt: EpochMs
    language: Language = Field(description="the language of the title and body: `lang` where translated, else en")


class AnnouncementList(BaseModel):
    announcements: list[AnnouncementOut] = Field(description="in their window now, newest start first")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def announcement_json(view: AnnouncementView) -> dict[str, Any]:
    """The public JSON of an announcement."""
    return {
        "id": view.id, "title": view.title, "bodyHtml": view.body_html, "severity": view.severity,
        "placement": view.placement, "startsAt": view.starts_at_ms, "endsAt": view.ends_at_ms,
        "updatedAt": view.updated_at_ms, "language": view.language,
    }  # fmt: skip


@router.get("/announcements", response_model=None, responses={
    **documented(AnnouncementList, "the current ones"), 422: ERROR,
})  # fmt: skip
async def announcements(container: ContainerDep, response: Response, lang: LanguageQuery = "en") -> dict[str, Any]:
    """The announcements in their window now (start <= now < end), not withdrawn, newest start first, each in
    `lang` where translated."""
    at = now_ms()

    def read() -> list[AnnouncementView]:
        with container.uow() as uow:
            return current(uow.session, at)

    response.headers.update(NO_CACHE)
    return {"announcements": [announcement_json(view.in_language(lang)) for view in await asyncio.to_thread(read)]}


@router.get("/announcements.atom", response_class=Response, responses={
    200: {"description": "an Atom 1.0 feed (RFC 4287)",
          "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
    422: ERROR,
})  # fmt: skip
async def announcements_feed(request: Request, container: ContainerDep, lang: LanguageQuery = "en") -> Response:
    """The announcements as an Atom 1.0 feed: those that have started (ended ones too), not withdrawn, newest
    first, at most 50, each in `lang` where translated (its `xml:lang` says); each entry's content is its
    sanitized HTML (`type="html"`)."""
    at = now_ms()

    def read() -> list[AnnouncementView]:
        with container.uow() as uow:
            return feed_entries(uow.session, at)

    entries = [view.in_language(lang) for view in await asyncio.to_thread(read)]
    site = container.settings.link_base(str(request.base_url))
    feed_url = f"{site}/v1/announcements.atom" + ("" if lang == DEFAULT_LANGUAGE else f"?lang={lang}")
    document = atom_feed(entries, site_url=site, feed_url=feed_url, now_ms=at, language=lang)
    return Response(document, media_type=f"{MEDIA_TYPE}; charset=utf-8", headers=NO_CACHE)
