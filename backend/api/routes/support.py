"""The signed-in wallet's support tickets: `GET /v1/support/tickets` (its own, newest first), `POST
/v1/support/tickets` (open one: multipart/form-data with an optional attachment, or JSON), `GET
/v1/support/tickets/{ticketId}` (the ticket and its public conversation), `GET .../attachments/{attachmentId}`
(a file of that conversation), `POST .../replies` (JSON, or multipart/form-data with an optional attachment),
`POST .../close`.

Every route serves the session's wallet and no other: another wallet's ticket is 404 TICKET_NOT_FOUND, as a
ticket that does not exist. Staff internal notes are never in these answers. Message text comes back as
typed (`body`, show it as text) and as sanitized HTML (`html`, from backend.markup); staff are "support",
never named.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from backend.accounts.uploads import ContentType
from backend.api.deps import ContainerDep, CurrentWallet, SupportDeskDep, spend_scope
from backend.api.files import FILE_TYPES, inline_file
from backend.api.forms import fields_with_attachment, json_or_multipart_body
from backend.api.routes.pagination import IdCursor, Limit, before, next_cursor
from backend.api.schemas import ERROR, SIGNED_IN, SIGNED_IN_CHANGE, EpochMs, Input, documented
from backend.db.types import MAX_ROW_ID
from backend.settings import Settings
from backend.support.desk import TicketDetail
from backend.support.rules import Category, Status
from backend.support.tickets import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, USER, MessageView, TicketView

router = APIRouter(prefix="/v1/support", tags=["support"])
TICKETS_PATH = "/v1/support/tickets"
REPLIES_PATH = "/v1/support/tickets/{ticketId}/replies"
MULTIPART_OVERHEAD = 128 * 1024  # the subject, the message (UTF-8: up to 4 bytes a character) and the framing
TicketId = Annotated[int, Path(alias="ticketId", ge=1, le=MAX_ROW_ID)]
AttachmentId = Annotated[int, Path(alias="attachmentId", ge=1, le=MAX_ROW_ID)]


def tickets_max_body(settings: Settings) -> int:
    """The request body opening or answering a ticket may carry: an attachment at the limit, the text and the
    framing."""
    return settings.support_max_attachment_bytes + MULTIPART_OVERHEAD


class AttachmentOut(BaseModel):
    id: int
    contentType: ContentType = Field(description="sniffed from the bytes")
    size: int = Field(ge=0, description="bytes")


class TicketOut(BaseModel):
    id: int
    category: Category
    subject: str = Field(description="as typed: show it as text, never as HTML")
    status: Status
    createdAt: EpochMs
    updatedAt: EpochMs
    firstResponseAt: EpochMs | None = Field(description="the first public staff reply; null: none yet")
    resolvedAt: EpochMs | None = Field(description="when it was resolved or closed; null: it is not")
    firstResponseMs: int | None = Field(ge=0, description="time to first response; null: none yet")
    resolutionMs: int | None = Field(ge=0, description="time to resolution; null: not resolved")


class TicketPage(BaseModel):
    tickets: list[TicketOut]
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class MessageOut(BaseModel):
    id: int
    sender: Literal["you", "support"] = Field(description="you: the wallet; support: HDEX staff")
    body: str = Field(description="the Markdown as typed: show it as text, never as HTML")
    html: str = Field(description="the Markdown rendered and sanitized on the server: safe to insert as HTML")
    createdAt: EpochMs
    attachments: list[AttachmentOut]


class TicketDetailOut(BaseModel):
    ticket: TicketOut
    messages: list[MessageOut] = Field(description="oldest first; staff internal notes are never included")


class TicketIn(Input):
    category: Category
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_CHARS)
    message: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


class ReplyIn(Input):
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="Markdown")


def ticket_json(ticket: TicketView) -> dict[str, Any]:
    """The fields of a ticket the wallet and staff both see."""
    return {
        "id": ticket.id,
        "category": ticket.category,
        "subject": ticket.subject,
        "status": ticket.status,
        "createdAt": ticket.created_at_ms,
        "updatedAt": ticket.updated_at_ms,
        "firstResponseAt": ticket.first_response_at_ms,
        "resolvedAt": ticket.resolved_at_ms,
        "firstResponseMs": ticket.first_response_ms,
        "resolutionMs": ticket.resolution_ms,
    }


def attachments_json(message: MessageView) -> list[dict[str, Any]]:
    return [{"id": a.id, "contentType": a.content_type, "size": a.size} for a in message.attachments]


def _message_json(message: MessageView) -> dict[str, Any]:
    return {
        "id": message.id,
        "sender": "you" if message.kind == USER else "support",
        "body": message.body,
        "html": message.html,
        "createdAt": message.created_at_ms,
        "attachments": attachments_json(message),
    }


def _detail_json(detail: TicketDetail) -> dict[str, Any]:
    # the desk leaves notes out of a wallet's view; the filter here is a second lock on the same door
    public = [m for m in detail.messages if m.kind != "note"]
    return {"ticket": ticket_json(detail.ticket), "messages": [_message_json(m) for m in public]}


@router.get("/tickets", response_model=None, responses={
    **documented(TicketPage, "the wallet's tickets, newest first"), **SIGNED_IN, 422: ERROR,
})  # fmt: skip
async def my_tickets(wallet: CurrentWallet, desk: SupportDeskDep, limit: Limit = 50, cursor: IdCursor = None) -> Any:
    """The signed-in wallet's tickets, newest first."""
    views = await asyncio.to_thread(desk.my_tickets, wallet, limit, before(cursor))
    return {"tickets": [ticket_json(v) for v in views], "next": next_cursor(views, limit, lambda v: str(v.id))}


@router.post("/tickets", status_code=201, response_model=None, responses={
    **documented(TicketDetailOut, "opened", 201), **SIGNED_IN_CHANGE, 413: ERROR, 415: ERROR, 422: ERROR, 429: ERROR,
}, openapi_extra=json_or_multipart_body(TicketIn))  # fmt: skip
async def open_ticket(request: Request, wallet: CurrentWallet, desk: SupportDeskDep, container: ContainerDep) -> Any:
    """Opens a ticket: multipart/form-data with `category`, `subject`, `message` and an optional `attachment`
    (or JSON without one). The attachment is at most HDEX_SUPPORT_MAX_ATTACHMENT_BYTES (UPLOAD_TOO_LARGE, 413) and a
    PNG, JPEG or PDF by its content (UPLOAD_TYPE_REFUSED, 415); a wallet opens at most HDEX_SUPPORT_TICKET_LIMIT
    tickets per HDEX_SUPPORT_TICKET_WINDOW_S (TICKET_LIMIT_REACHED, 429, with Retry-After) and sends at most
    HDEX_SUPPORT_MESSAGE_LIMIT messages (TICKET_MESSAGE_LIMIT_REACHED, 429). A refusal stores nothing.
    Attachments count against HDEX_RATE_LIMIT_SUPPORT_UPLOAD per client IP (429)."""
    max_bytes = container.settings.support_max_attachment_bytes
    fields, attachment = await fields_with_attachment(request, TicketIn, max_bytes)
    if attachment is not None:
        await spend_scope(request, "support_upload")
    detail = await asyncio.to_thread(
        desk.open_ticket, wallet, fields.category, fields.subject, fields.message, attachment
    )
    return _detail_json(detail)


@router.get("/tickets/{ticketId}", response_model=None, responses={
    **documented(TicketDetailOut, "the ticket and its public conversation"), **SIGNED_IN, 404: ERROR, 422: ERROR,
})  # fmt: skip
async def my_ticket(ticket_id: TicketId, wallet: CurrentWallet, desk: SupportDeskDep) -> Any:
    """One of the wallet's tickets with its conversation (TICKET_NOT_FOUND for another wallet's)."""
    return _detail_json(await asyncio.to_thread(desk.my_ticket, wallet, ticket_id))


@router.get("/tickets/{ticketId}/attachments/{attachmentId}", response_model=None, response_class=Response,
    responses={
        200: {"description": "the file, as its content-sniffed type", "content": FILE_TYPES}, **SIGNED_IN,
        404: ERROR, 422: ERROR,
    },
)  # fmt: skip
async def my_attachment(
    ticket_id: TicketId, attachment_id: AttachmentId, wallet: CurrentWallet, desk: SupportDeskDep
) -> Response:
    """A file of the wallet's ticket: one it sent, or one attached to a public reply of support.
    TICKET_NOT_FOUND (404) for another wallet's ticket; TICKET_ATTACHMENT_NOT_FOUND (404) for a file that is not
    in this ticket's public conversation."""
    opened = await asyncio.to_thread(desk.my_attachment, wallet, ticket_id, attachment_id)
    return inline_file(opened.data, opened.content_type, f"ticket-{opened.ticket_id}-{opened.id}")


@router.post(REPLIES_PATH.removeprefix(router.prefix), status_code=201, response_model=None, responses={
    **documented(TicketDetailOut, "answered: a ticket waiting for you or resolved is open again", 201),
    **SIGNED_IN_CHANGE, 400: ERROR, 404: ERROR, 409: ERROR, 413: ERROR, 415: ERROR, 422: ERROR, 429: ERROR,
}, openapi_extra=json_or_multipart_body(ReplyIn))  # fmt: skip
async def reply(
    ticket_id: TicketId, request: Request, wallet: CurrentWallet, desk: SupportDeskDep, container: ContainerDep
) -> Any:
    """The wallet's reply on its ticket: JSON `{"body"}`, or multipart/form-data with `body` and an optional
    `attachment` checked as on opening (at most HDEX_SUPPORT_MAX_ATTACHMENT_BYTES: UPLOAD_TOO_LARGE, 413; a PNG,
    JPEG or PDF by its content: UPLOAD_TYPE_REFUSED, 415). TICKET_CLOSED (409) on a closed one; past
    HDEX_SUPPORT_MESSAGE_LIMIT messages per HDEX_SUPPORT_TICKET_WINDOW_S, TICKET_MESSAGE_LIMIT_REACHED (429, with
    Retry-After). A refusal stores nothing."""
    max_bytes = container.settings.support_max_attachment_bytes
    body, attachment = await fields_with_attachment(request, ReplyIn, max_bytes)
    if attachment is not None:  # attachments count against HDEX_RATE_LIMIT_SUPPORT_UPLOAD per client IP (429)
        await spend_scope(request, "support_upload")
    return _detail_json(await asyncio.to_thread(desk.reply, wallet, ticket_id, body.body, attachment))


@router.post("/tickets/{ticketId}/close", response_model=None, responses={
    **documented(TicketDetailOut, "closed"), **SIGNED_IN_CHANGE, 404: ERROR, 409: ERROR, 422: ERROR,
})  # fmt: skip
async def close(ticket_id: TicketId, wallet: CurrentWallet, desk: SupportDeskDep) -> Any:
    """The wallet closes its own ticket; TICKET_TRANSITION_INVALID (409) if it is closed already."""
    return _detail_json(await asyncio.to_thread(desk.close, wallet, ticket_id))
