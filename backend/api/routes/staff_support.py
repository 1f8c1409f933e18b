"""The support desk in the back office (issue 16): the ticket queue, a ticket with its whole conversation
(internal notes included), assigning, public replies and internal notes, status changes, attachments,
saved replies and the desk's daily figures. Every route needs support.manage (403 STAFF_FORBIDDEN
otherwise, whatever the page shows); every change and every attachment view is in the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep, StaffPrincipal, SupportDeskDep, requires
from backend.api.files import FILE_TYPES, inline_file
from backend.api.forms import fields_with_attachment, json_or_multipart_body
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.routes.staff_origin import SAME_ORIGIN_READ
from backend.api.routes.support import (
    AttachmentId,
    AttachmentOut,
    TicketOut,
    attachments_json,
    ticket_json,
)
from backend.api.schemas import ERROR, STAFF_ONLY, Address, EpochMs, Input, documented
from backend.db.types import MAX_ROW_ID
from backend.errors import ErrorCode, HdexError
from backend.staff.assignees import assignee_check, holders_of
from backend.staff.roles import Permission
from backend.stats.days import parse_range
from backend.support.desk import TicketDetail
from backend.support.rules import MAX_STATS_DAYS, Category, DayFigures, Status
from backend.support.saved_replies import MAX_TITLE_CHARS, SavedReplyView
from backend.support.tickets import MAX_BODY_CHARS, MessageView, TicketView

router = APIRouter(prefix="/v1/staff/support", tags=["staff"])
MESSAGES_PATH = "/v1/staff/support/tickets/{ticketId}/messages"

SUPPORT_MANAGE = Annotated[StaffPrincipal, requires(Permission.SUPPORT_MANAGE)]
TicketId = Annotated[int, Path(alias="ticketId", ge=1, le=MAX_ROW_ID)]
SavedReplyId = Annotated[int, Path(alias="savedReplyId", ge=1, le=MAX_ROW_ID)]


class StaffTicketOut(TicketOut):
    address: Address = Field(description="the wallet that opened it")
    assignee: str | None = Field(description="a staff e-mail; null: nobody")


class StaffTicketPage(BaseModel):
    tickets: list[StaffTicketOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class StaffMessageOut(BaseModel):
    id: int
    kind: Literal["user", "reply", "note"] = Field(description="user: the wallet; reply: public; note: staff only")
    author: str = Field(description='"wallet:0x.." or "staff:<e-mail>"')
    body: str = Field(description="the Markdown as typed: show it as text, never as HTML")
    html: str = Field(description="the Markdown rendered and sanitized on the server: safe to insert as HTML")
    createdAt: EpochMs
    attachments: list[AttachmentOut]


class StaffTicketDetail(BaseModel):
    ticket: StaffTicketOut
    messages: list[StaffMessageOut] = Field(description="oldest first, internal notes included")


class Assignees(BaseModel):
    assignees: list[str] = Field(description="e-mails of active staff whose role may answer tickets")


class SavedReplyOut(BaseModel):
    id: int
    title: str = Field(description="show it as text, never as HTML")
    body: str = Field(description="Markdown as typed")
    html: str = Field(description="the body rendered and sanitized on the server")
    updatedBy: str
    updatedAt: EpochMs


class SavedReplyList(BaseModel):
    savedReplies: list[SavedReplyOut]


class SavedReplyDeleted(BaseModel):
    id: int
    deleted: Literal[True]


class DayOut(BaseModel):
    day: str = Field(description="YYYY-MM-DD (UTC)")
    opened: int = Field(ge=0, description="tickets opened that day")
    resolved: int = Field(ge=0, description="tickets resolved (or closed) that day")
    medianFirstResponseMs: int | None = Field(description="over the tickets first answered that day; null: none")
    medianResolutionMs: int | None = Field(description="over the tickets resolved that day; null: none")


class SupportStats(BaseModel):
    days: list[DayOut] = Field(description="every day of the range, oldest first")


class AssignIn(Input):
    assignee: str | None = Field(max_length=254, description="a staff e-mail (role with support.manage); null: nobody")


class MessageIn(Input):
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")
    internal: bool = Field(default=False, description="true: an internal note, never shown to the user")


class StatusIn(Input):
    status: Status


class SavedReplyIn(Input):
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


def _staff_ticket_json(ticket: TicketView) -> dict[str, Any]:
    return {**ticket_json(ticket), "address": ticket.address, "assignee": ticket.assignee}


def _message_json(message: MessageView) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "author": message.author,
        "body": message.body,
        "html": message.html,
        "createdAt": message.created_at_ms,
        "attachments": attachments_json(message),
    }


def _detail_json(detail: TicketDetail) -> dict[str, Any]:
    return {"ticket": _staff_ticket_json(detail.ticket), "messages": [_message_json(m) for m in detail.messages]}


def _saved_json(view: SavedReplyView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "body": view.body,
        "html": view.html,
        "updatedBy": view.updated_by,
        "updatedAt": view.updated_at_ms,
    }


def _day_json(day: DayFigures) -> dict[str, Any]:
    return {
        "day": day.day.isoformat(),
        "opened": day.opened,
        "resolved": day.resolved,
        "medianFirstResponseMs": day.median_first_response_ms,
        "medianResolutionMs": day.median_resolution_ms,
    }


@router.get("/tickets", response_model=None, responses={
    **documented(StaffTicketPage, "tickets, newest first"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def queue(
    staff: SUPPORT_MANAGE,
    desk: SupportDeskDep,
    status: Annotated[Status | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=254, description='a staff e-mail, or "none": nobody')] = None,
    category: Annotated[Category | None, Query()] = None,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Any:
    """The ticket queue (permission support.manage), by status, assignee and category, newest first."""
    unassigned = assignee == "none"
    views = await asyncio.to_thread(
        desk.queue, status, None if unassigned else assignee, unassigned, category, limit, before(cursor)
    )
    page = [_staff_ticket_json(v) for v in views]
    return {"tickets": page, "next": next_cursor(views, limit, lambda v: str(v.id))}


@router.get("/tickets/{ticketId}", response_model=None, responses={
    **documented(StaffTicketDetail, "the ticket with its whole conversation"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def ticket(ticket_id: TicketId, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """A ticket with every message, internal notes included (permission support.manage)."""
    return _detail_json(await asyncio.to_thread(desk.ticket, ticket_id))


@router.post("/tickets/{ticketId}/assign", response_model=None, responses={
    **documented(StaffTicketDetail, "assigned"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def assign(ticket_id: TicketId, body: AssignIn, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """Gives the ticket to a member of staff who may answer tickets, or to nobody (audit-logged)."""
    actor = staff.actor
    check = assignee_check(Permission.SUPPORT_MANAGE)
    detail = await asyncio.to_thread(desk.assign, ticket_id, body.assignee, check, actor.name, actor.ip)
    return _detail_json(detail)


@router.post(MESSAGES_PATH.removeprefix(router.prefix), status_code=201, response_model=None, responses={
    **documented(StaffTicketDetail, "added", 201), **STAFF_ONLY, 400: ERROR, 404: ERROR, 409: ERROR, 413: ERROR,
    415: ERROR, 422: ERROR,
}, openapi_extra=json_or_multipart_body(MessageIn))  # fmt: skip
async def answer(
    ticket_id: TicketId, request: Request, staff: SUPPORT_MANAGE, desk: SupportDeskDep, container: ContainerDep
) -> Any:
    """A public reply (the user sees it in the app and gets it by mail at a verified address) or, with
    `internal`, a note only staff ever see (audit-logged). JSON, or multipart/form-data with the same fields and
    an optional `attachment` checked as the user's are (UPLOAD_TOO_LARGE, 413; UPLOAD_TYPE_REFUSED, 415); a
    public reply's attachment is shown to the user, a note's is not. TICKET_CLOSED (409) on a closed ticket."""
    actor = staff.actor
    base = container.settings.link_base(str(request.base_url))
    body, attachment = await fields_with_attachment(request, MessageIn, container.settings.support_max_attachment_bytes)
    detail = await asyncio.to_thread(
        desk.answer, ticket_id, body.body, body.internal, actor.name, actor.ip, base, attachment
    )
    return _detail_json(detail)


@router.post("/tickets/{ticketId}/status", response_model=None, responses={
    **documented(StaffTicketDetail, "moved"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def set_status(ticket_id: TicketId, body: StatusIn, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """Moves the ticket (TICKET_TRANSITION_INVALID, 409, for a move its state does not allow; audit-logged)."""
    actor = staff.actor
    return _detail_json(await asyncio.to_thread(desk.set_status, ticket_id, body.status, actor.name, actor.ip))


@router.get("/attachments/{attachmentId}", response_model=None, response_class=Response, responses={
    200: {"description": "the file, as its content-sniffed type", "content": FILE_TYPES}, **STAFF_ONLY,
    404: ERROR, 422: ERROR,
}, dependencies=[SAME_ORIGIN_READ])  # fmt: skip
async def open_attachment(attachment_id: AttachmentId, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Response:
    """An attachment's bytes (permission support.manage); each view is written to the audit log first."""
    actor = staff.actor
    opened = await asyncio.to_thread(desk.open_attachment, attachment_id, actor.name, actor.ip)
    return inline_file(opened.data, opened.content_type, f"ticket-{opened.ticket_id}-{opened.id}")


@router.get("/assignees", response_model=None, responses={
    **documented(Assignees, "who may be given a ticket"), **STAFF_ONLY,
})  # fmt: skip
async def assignees(staff: SUPPORT_MANAGE, container: ContainerDep) -> Any:
    """The e-mails of active staff whose role may answer tickets, for the assign picker."""

    def read() -> list[str]:
        with container.uow() as uow:
            return holders_of(uow.session, Permission.SUPPORT_MANAGE)

    return {"assignees": await asyncio.to_thread(read)}


@router.get("/saved-replies", response_model=None, responses={
    **documented(SavedReplyList, "every saved reply, by title"), **STAFF_ONLY,
})  # fmt: skip
async def saved_replies(staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """The saved replies (permission support.manage)."""
    return {"savedReplies": [_saved_json(v) for v in await asyncio.to_thread(desk.saved_replies)]}


@router.post("/saved-replies", status_code=201, response_model=None, responses={
    **documented(SavedReplyOut, "saved", 201), **STAFF_ONLY, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def create_saved_reply(body: SavedReplyIn, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """A new saved reply (SAVED_REPLY_TITLE_TAKEN, 409, for a title in use; audit-logged)."""
    actor = staff.actor
    return _saved_json(await asyncio.to_thread(desk.create_saved_reply, body.title, body.body, actor.name, actor.ip))


@router.put("/saved-replies/{savedReplyId}", response_model=None, responses={
    **documented(SavedReplyOut, "changed"), **STAFF_ONLY, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def update_saved_reply(
    reply_id: SavedReplyId, body: SavedReplyIn, staff: SUPPORT_MANAGE, desk: SupportDeskDep
) -> Any:
    """Changes a saved reply's title and body (audit-logged)."""
    actor = staff.actor
    view = await asyncio.to_thread(desk.update_saved_reply, reply_id, body.title, body.body, actor.name, actor.ip)
    return _saved_json(view)


@router.delete("/saved-replies/{savedReplyId}", response_model=None, responses={
    **documented(SavedReplyDeleted, "removed"), **STAFF_ONLY, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def delete_saved_reply(reply_id: SavedReplyId, staff: SUPPORT_MANAGE, desk: SupportDeskDep) -> Any:
    """Removes a saved reply (audit-logged)."""
    actor = staff.actor
    await asyncio.to_thread(desk.delete_saved_reply, reply_id, actor.name, actor.ip)
    return {"id": reply_id, "deleted": True}


@router.get("/stats", response_model=None, responses={
    **documented(SupportStats, "per UTC day: opened, resolved, median times"), **STAFF_ONLY, 422: ERROR,
})  # fmt: skip
async def stats(
    staff: SUPPORT_MANAGE,
    desk: SupportDeskDep,
    first: Annotated[
        dt.date | None, Query(alias="from", description="YYYY-MM-DD (UTC); default: 29 days before to")
    ] = None,
    last: Annotated[
        dt.date | None, Query(alias="to", description="YYYY-MM-DD (UTC), inclusive; default: today")
    ] = None,
) -> Any:
    """The desk's figures per day from `from` to `to` inclusive (at most 366 days): tickets opened and
    resolved, and the median times to first response and to resolution of the tickets answered / resolved
    that day (permission support.manage)."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        days = parse_range(
            None if first is None else first.isoformat(), None if last is None else last.isoformat(), today,
            MAX_STATS_DAYS,
        )  # fmt: skip
    except HdexError as refused:  # this route answered INVALID_FIELD before it shared the statistics' check
        raise HdexError(ErrorCode.INVALID_FIELD, refused.message, refused.field) from None
    figures = await asyncio.to_thread(desk.stats, dt.date.fromisoformat(days.first), dt.date.fromisoformat(days.last))
    return {"days": [_day_json(day) for day in figures]}
