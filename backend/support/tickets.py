"""Tickets in the database: opened by a wallet, answered by staff in public replies and internal notes,
moved through their states (`backend.support.rules` says which moves exist).

Everything here runs inside the caller's unit of work; the caller commits. Staff changes write their
audit-log entry in the same unit of work (actions "ticket.assign", "ticket.reply", "ticket.note",
"ticket.status"; target "ticket:<id>"). A wallet reads and changes only its own tickets: another wallet's
ticket is TICKET_NOT_FOUND, exactly as a ticket that does not exist. `erase_wallet_writing` is the one
change of a message after it is written: what a wallet wrote, erased at its request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.accounts.uploads import CheckedFile
from backend.audit_log import record_action
from backend.db.locks import get_for_change
from backend.db.models import SupportAttachment, SupportMessage, SupportTicket
from backend.errors import ErrorCode, HdexError, retry_after_s
from backend.markup import render
from backend.storage import DocumentStore
from backend.support import rules

USER, REPLY, NOTE = "user", "reply", "note"  # message kinds: the wallet's, staff's public reply, staff-only note
MAX_SUBJECT_CHARS = 200
MAX_BODY_CHARS = 10_000
# C0 and C1 controls and the Unicode line and paragraph separators: each breaks a subject's one line (a mail
# header made of it is refused by the mail library, and every reply to the ticket would fail to send)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    message_id: int
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message with its Markdown as typed (`body`) and as safe HTML (`html`, from backend.markup)."""

    id: int
    kind: str
    author: str
    body: str
    html: str
    created_at_ms: int
    attachments: tuple[AttachmentView, ...]


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    address: str
    category: str
    subject: str
    status: str
    assignee: str | None
    created_at_ms: int
    updated_at_ms: int
    first_response_at_ms: int | None
    resolved_at_ms: int | None

    @property
    def first_response_ms(self) -> int | None:
        """Time to first response (None until staff answer in public)."""
        return rules.duration_ms(self.created_at_ms, self.first_response_at_ms)

    @property
    def resolution_ms(self) -> int | None:
        """Time to resolution (None unless resolved or closed now)."""
        return rules.duration_ms(self.created_at_ms, self.resolved_at_ms)


def check_subject(subject: str) -> str:
    """The subject trimmed: one line of 1 to MAX_SUBJECT_CHARS characters, else INVALID_FIELD."""
    trimmed = subject.strip()
    if not trimmed or len(trimmed) > MAX_SUBJECT_CHARS or CONTROL_CHARS.search(trimmed):
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"a subject is one line of 1 to {MAX_SUBJECT_CHARS} characters", "subject"
        )
    return trimmed


def check_body(body: str, field: str = "message") -> str:
    """The body as typed if it holds 1 to MAX_BODY_CHARS characters and some text, else INVALID_FIELD."""
    if not body.strip() or len(body) > MAX_BODY_CHARS or "\x00" in body:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a message is 1 to {MAX_BODY_CHARS} characters", field)
    return body


def tickets_opened_since(session: Session, address: str, since_ms: int) -> list[int]:
    """When the wallet opened each ticket after `since_ms`, oldest first (the per-wallet limit counts them)."""
    query = (
        select(SupportTicket.created_at_ms)
        .where(SupportTicket.address == address, SupportTicket.created_at_ms > since_ms)
        .order_by(SupportTicket.created_at_ms)
    )
    return list(session.scalars(query))


def check_ticket_limit(session: Session, address: str, limit: int, window_ms: int, now_ms: int) -> None:
    """TICKET_LIMIT_REACHED (with Retry-After) if the wallet opened `limit` tickets within the last window."""
    opened = tickets_opened_since(session, address, now_ms - window_ms)
    _refuse_past(opened, limit, window_ms, now_ms, ErrorCode.TICKET_LIMIT_REACHED, "opens", "tickets")


def check_message_limit(session: Session, address: str, limit: int, window_ms: int, now_ms: int) -> None:
    """TICKET_MESSAGE_LIMIT_REACHED (with Retry-After) if the wallet sent `limit` messages (first ones and
    replies, on all its tickets) within the last window: each may carry an attachment, and each is rendered
    again at every read of its ticket."""
    sent = session.scalars(
        select(SupportMessage.created_at_ms)
        .join(SupportTicket, SupportTicket.id == SupportMessage.ticket_id)
        .where(
            SupportTicket.address == address,
            SupportMessage.kind == USER,
            SupportMessage.created_at_ms > now_ms - window_ms,
        )
        .order_by(SupportMessage.created_at_ms)
    )
    _refuse_past(list(sent), limit, window_ms, now_ms, ErrorCode.TICKET_MESSAGE_LIMIT_REACHED, "sends", "messages")


def _refuse_past(
    times: list[int], limit: int, window_ms: int, now_ms: int, code: ErrorCode, verb: str, what: str
) -> None:
    """`code`, with Retry-After (when the oldest counted one leaves the window), once `times` (oldest first, all
    within the window) hold `limit`."""
    if len(times) >= limit:
        retry_s = retry_after_s(times[-limit] + window_ms, now_ms)
        raise HdexError(
            code,
            f"a wallet {verb} at most {limit} {what} in {window_ms // 60_000} minutes: try again in {retry_s} s",
            headers={"Retry-After": str(retry_s)},  # X-RateLimit-* are the per-IP limiter's (every response)
        )


def open_ticket(
    session: Session, address: str, category: str, subject: str, body: str, *, now_ms: int
) -> tuple[SupportTicket, SupportMessage]:
    """A new open ticket of `address` with its first message (fields checked: INVALID_FIELD)."""
    ticket = SupportTicket(
        address=address,
        category=rules.check_category(category),
        subject=check_subject(subject),
        status=rules.OPEN,
        assignee=None,
        created_at_ms=now_ms,
        updated_at_ms=now_ms,
        first_response_at_ms=None,
        resolved_at_ms=None,
    )
    message_body = check_body(body)
    session.add(ticket)
    session.flush()
    message = _message(ticket.id, USER, f"wallet:{address}", message_body, "message", now_ms)
    session.add(message)
    session.flush()
    return ticket, message


def _message(ticket_id: int, kind: str, author: str, body: str, field: str, now_ms: int) -> SupportMessage:
    """A message with its Markdown rendered once, as written: reading a ticket renders nothing (a wallet's thirty
    replies an hour of pathological Markdown made every read of the ticket cost seconds of CPU). `field` names the
    request's field in a refusal."""
    return SupportMessage(
        ticket_id=ticket_id, kind=kind, author=author, body=body, body_html=render(body, field), created_at_ms=now_ms
    )


def add_attachment(
    session: Session, message: SupportMessage, storage_key: str, content_type: str, size: int, sha256: str, now_ms: int
) -> SupportAttachment:
    """Record a stored attachment of `message`."""
    row = SupportAttachment(
        ticket_id=message.ticket_id, message_id=message.id, storage_key=storage_key, content_type=content_type,
        size=size, sha256=sha256, created_at_ms=now_ms,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def ticket_of(
    session: Session, ticket_id: int, address: str | None = None, *, for_change: bool = False
) -> SupportTicket:
    """The ticket, or TICKET_NOT_FOUND (also when `address` is given and the ticket is another wallet's). With
    `for_change`, locked first and read after (`get_for_change`): a reply and a close at once both passed the check
    on the status they had read."""
    ticket = get_for_change(session, SupportTicket, ticket_id) if for_change else session.get(SupportTicket, ticket_id)
    if ticket is None or (address is not None and ticket.address != address):
        raise HdexError(ErrorCode.TICKET_NOT_FOUND, f"there is no ticket {ticket_id}", "ticketId")
    return ticket


def add_user_reply(session: Session, ticket: SupportTicket, body: str, *, now_ms: int) -> SupportMessage:
    """The wallet's reply: reopens a ticket waiting for it or resolved; TICKET_CLOSED on a closed one."""
    status = rules.after_user_reply(ticket.status)
    message = _message(ticket.id, USER, f"wallet:{ticket.address}", check_body(body, "body"), "body", now_ms)
    session.add(message)
    ticket.status, ticket.updated_at_ms = status, now_ms
    ticket.resolved_at_ms = rules.resolved_at_after(ticket.resolved_at_ms, status, now_ms)
    session.flush()
    return message


def close_by_user(session: Session, ticket: SupportTicket, *, now_ms: int) -> None:
    """The wallet closes its own ticket (TICKET_TRANSITION_INVALID if it is closed already)."""
    rules.check_user_close(ticket.status)
    ticket.resolved_at_ms = rules.resolved_at_after(ticket.resolved_at_ms, rules.CLOSED, now_ms)
    ticket.status, ticket.updated_at_ms = rules.CLOSED, now_ms


def add_staff_message(
    session: Session,
    ticket: SupportTicket,
    body: str,
    *,
    internal: bool,
    actor: str,
    ip: str | None,
    now_ms: int,
    attachment: CheckedFile | None = None,
) -> SupportMessage:
    """A public reply (`internal` False: the wallet sees it; the first one is the ticket's first response) or
    an internal note (staff only). TICKET_CLOSED on a closed ticket. The audit entry names the `attachment`
    the message carries, if any (the caller stores it: `add_attachment`)."""
    if ticket.status == rules.CLOSED:
        raise HdexError(ErrorCode.TICKET_CLOSED, f"ticket {ticket.id} is closed: reopen it to answer")
    kind = NOTE if internal else REPLY
    message = _message(ticket.id, kind, actor, check_body(body, "body"), "body", now_ms)
    session.add(message)
    ticket.updated_at_ms = now_ms
    if not internal and ticket.first_response_at_ms is None:
        ticket.first_response_at_ms = now_ms
    session.flush()
    after: dict[str, object] = {"messageId": message.id, "body": message.body}
    if attachment is not None:
        after["attachment"] = {
            "contentType": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256,
        }  # fmt: skip
    record_action(
        session, actor=actor, action=f"ticket.{kind}", target=f"ticket:{ticket.id}", before=None, after=after, ip=ip
    )
    return message


def assign(
    session: Session,
    ticket: SupportTicket,
    assignee: str | None,
    *,
    check_assignee: Callable[[Session, str | None], str | None],
    actor: str,
    ip: str | None,
    now_ms: int,
) -> None:
    """Give the ticket to `assignee` (a staff e-mail; None: nobody) if `check_assignee` lets them have it (the
    caller knows who holds support.manage: backend.staff.assignees), which answers the e-mail as stored."""
    if ticket.status == rules.CLOSED:
        raise HdexError(ErrorCode.TICKET_CLOSED, f"ticket {ticket.id} is closed: reopen it to assign it")
    email = check_assignee(session, assignee)
    if email != ticket.assignee:
        before = ticket.assignee
        ticket.assignee, ticket.updated_at_ms = email, now_ms
        record_action(
            session, actor=actor, action="ticket.assign", target=f"ticket:{ticket.id}", before={"assignee": before},
            after={"assignee": email}, ip=ip,
        )  # fmt: skip


def change_status(
    session: Session, ticket: SupportTicket, status: str, *, actor: str, ip: str | None, now_ms: int
) -> None:
    """Staff move the ticket to `status` (TICKET_TRANSITION_INVALID for a move the rules do not allow)."""
    rules.check_staff_transition(ticket.status, status)
    before = ticket.status
    ticket.resolved_at_ms = rules.resolved_at_after(ticket.resolved_at_ms, status, now_ms)
    ticket.status, ticket.updated_at_ms = status, now_ms
    record_action(
        session, actor=actor, action="ticket.status", target=f"ticket:{ticket.id}", before={"status": before},
        after={"status": status}, ip=ip,
    )  # fmt: skip


def list_tickets(
    session: Session,
    *,
    address: str | None = None,
    status: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    category: str | None = None,
    limit: int,
    below_id: int | None = None,
) -> list[TicketView]:
    """Tickets newest first: of one wallet, status, assignee (`unassigned`: nobody's) and category if given,
    with ids below `below_id` if given."""
    query = select(SupportTicket).order_by(SupportTicket.id.desc()).limit(limit)
    if below_id is not None:
        query = query.where(SupportTicket.id < below_id)
    if address is not None:
        query = query.where(SupportTicket.address == address)
    if status is not None:
        query = query.where(SupportTicket.status == rules.check_status(status))
    if category is not None:
        query = query.where(SupportTicket.category == rules.check_category(category))
    if unassigned:
        query = query.where(SupportTicket.assignee.is_(None))
    elif assignee is not None:
        query = query.where(SupportTicket.assignee == assignee.strip().lower())
    return [ticket_view(ticket) for ticket in session.scalars(query)]


# What a wallet may see of its tickets: every message but staff's internal notes. The one definition, used by
# the messages it reads and by the attachments it opens.
SEEN_BY_WALLET = SupportMessage.kind != NOTE


def _messages(session: Session, ticket_ids: Collection[int], *, with_notes: bool) -> list[SupportMessage]:
    """The tickets' messages oldest first; internal notes only if `with_notes`."""
    query = select(SupportMessage).where(SupportMessage.ticket_id.in_(ticket_ids)).order_by(SupportMessage.id)
    if not with_notes:
        query = query.where(SEEN_BY_WALLET)
    return list(session.scalars(query))


def public_messages(session: Session, ticket_ids: Collection[int]) -> list[SupportMessage]:
    """The messages of the tickets their wallet sees (its own and staff's public replies), oldest first, as
    stored: neither rendered nor with their attachments."""
    return _messages(session, ticket_ids, with_notes=False) if ticket_ids else []


def messages_of(session: Session, ticket_id: int, *, with_notes: bool) -> list[MessageView]:
    """The ticket's messages oldest first, with their attachments; internal notes only if `with_notes`."""
    messages = _messages(session, [ticket_id], with_notes=with_notes)
    files: dict[int, list[AttachmentView]] = {message.id: [] for message in messages}
    if messages:
        rows = session.scalars(
            select(SupportAttachment)
            .where(SupportAttachment.message_id.in_(files))
            .order_by(SupportAttachment.id)
        )  # fmt: skip
        for row in rows:
            files[row.message_id].append(AttachmentView(row.id, row.message_id, row.content_type, row.size))
    return [
        MessageView(m.id, m.kind, m.author, m.body, m.body_html, m.created_at_ms, tuple(files[m.id])) for m in messages
    ]


def public_attachment(session: Session, ticket_id: int, attachment_id: int) -> SupportAttachment | None:
    """The attachment if it belongs to a message of the ticket its wallet sees (not an internal note)."""
    query = (
        select(SupportAttachment)
        .join(SupportMessage, SupportMessage.id == SupportAttachment.message_id)
        .where(SupportAttachment.id == attachment_id, SupportAttachment.ticket_id == ticket_id, SEEN_BY_WALLET)
    )  # fmt: skip
    return session.scalars(query).one_or_none()


def ticket_times_between(session: Session, start_ms: int, end_ms: int) -> Sequence[rules.TicketTimes]:
    """The times of every ticket opened, first answered or resolved within [start_ms, end_ms)."""
    columns = (SupportTicket.created_at_ms, SupportTicket.first_response_at_ms, SupportTicket.resolved_at_ms)
    query = select(*columns).where(or_(*(and_(column >= start_ms, column < end_ms) for column in columns)))
    return [rules.TicketTimes(*row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class Erased:
    """How many of a wallet's subjects, messages and attachments an erasure changed."""

    subjects: int
    messages: int
    attachments: int


def erase_wallet_writing(session: Session, store: DocumentStore, address: str, marker: str) -> Erased:
    """Replace what `address` wrote on its tickets (their subjects, its messages) by `marker` and delete its
    attachments, files first: a failed commit leaves rows whose files are gone (TICKET_ATTACHMENT_NOT_FOUND),
    which the next erasure removes. The tickets, their times and staff's replies and notes stay; what was
    erased already is not counted again."""
    tickets = list(session.scalars(select(SupportTicket).where(SupportTicket.address == address)))
    written = [m for m in _messages(session, [ticket.id for ticket in tickets], with_notes=False) if m.kind == USER]
    files = list(
        session.scalars(
            select(SupportAttachment).where(SupportAttachment.message_id.in_([message.id for message in written]))
        )
    )
    subjects = [ticket for ticket in tickets if ticket.subject != marker]
    messages = [message for message in written if message.body != marker]
    for ticket in subjects:
        ticket.subject = marker
    erased_html = render(marker)
    for message in messages:
        message.body, message.body_html = marker, erased_html  # the rendering holds the words too
    for row in files:
        store.delete(row.storage_key)
        session.delete(row)
    session.flush()
    return Erased(len(subjects), len(messages), len(files))


def ticket_view(ticket: SupportTicket) -> TicketView:
    return TicketView(
        ticket.id, ticket.address, ticket.category, ticket.subject, ticket.status, ticket.assignee,
        ticket.created_at_ms, ticket.updated_at_ms, ticket.first_response_at_ms, ticket.resolved_at_ms,
    )  # fmt: skip
