"""The support desk's use cases: a wallet opens, reads, answers and closes its own tickets; staff work the
queue, answer in public or in internal notes, assign, move tickets through their states, keep saved
replies, open attachments and read the desk's figures. Each method is one unit of work; the routes call
these (they check who may call what: this service trusts the actor it is given).

A public reply is mailed to the ticket's wallet if its profile holds a verified e-mail address; an internal
note never leaves the back office.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend.accounts.languages import DEFAULT_LANGUAGE
from backend.accounts.profiles import find_profile
from backend.accounts.uploads import CheckedFile, check_file
from backend.accounts.wording import wording
from backend.audit_log import record_action
from backend.bootstrap import Container
from backend.db.locks import lock_wallet
from backend.db.models import AccountMail, SupportAttachment, SupportMessage
from backend.errors import ErrorCode, HdexError
from backend.storage import DocumentMissing, DocumentStore, document_store_for
from backend.support import rules, saved_replies, tickets
from backend.support.saved_replies import SavedReplyView
from backend.support.tickets import MessageView, TicketView

log = logging.getLogger(__name__)
Clock = Callable[[], int]  # epoch ms
TICKET_PAGE = "/support"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """A ticket with its conversation, oldest first (internal notes only in the staff view)."""

    ticket: TicketView
    messages: list[MessageView]


@dataclass(frozen=True, slots=True)
class OpenedAttachment:
    id: int
    ticket_id: int
    content_type: str
    data: bytes


class SupportDesk:
    """Tickets and saved replies over the container's database and the document store."""

    def __init__(
        self,
        container: Container,
        store: DocumentStore | None = None,
        clock: Clock = now_ms,
    ) -> None:
        self._container = container
        self._settings = container.settings
        self._store = store or document_store_for(container.settings)
        self._clock = clock
        self._window_ms = container.settings.support_ticket_window_s * 1000  # of the ticket and message limits

    # the wallet's side

    def open_ticket(
        self, address: str, category: str, subject: str, body: str, attachment: bytes | None = None
    ) -> TicketDetail:
        """A new ticket with its first message and optional attachment (checked before anything is stored;
        a refusal stores nothing). TICKET_LIMIT_REACHED past HDEX_SUPPORT_TICKET_LIMIT per window,
        TICKET_MESSAGE_LIMIT_REACHED past HDEX_SUPPORT_MESSAGE_LIMIT."""
        checked = self._checked(attachment)
        now = self._clock()
        with self._attaching(checked, now) as attach, self._container.uow() as uow:
            lock_wallet(uow.session, "support", address)  # the limits count the wallet's rows: one check at a time
            tickets.check_ticket_limit(uow.session, address, self._settings.support_ticket_limit, self._window_ms, now)
            self._check_message_limit(uow.session, address, now)
            ticket, message = tickets.open_ticket(uow.session, address, category, subject, body, now_ms=now)
            attach(uow.session, message)
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=False)

    def _check_message_limit(self, session: Session, address: str, now: int) -> None:
        tickets.check_message_limit(session, address, self._settings.support_message_limit, self._window_ms, now)

    def my_tickets(self, address: str, limit: int, below_id: int | None) -> list[TicketView]:
        """The wallet's tickets, newest first."""
        with self._container.uow() as uow:
            return tickets.list_tickets(uow.session, address=address, limit=limit, below_id=below_id)

    def my_ticket(self, address: str, ticket_id: int) -> TicketDetail:
        """The wallet's ticket and its public conversation (TICKET_NOT_FOUND for another wallet's)."""
        with self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id, address)
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=False)

    def reply(self, address: str, ticket_id: int, body: str, attachment: bytes | None = None) -> TicketDetail:
        """The wallet answers on its ticket (reopening it if it was waiting for the wallet or resolved), with an
        optional attachment checked and stored as on opening (a refusal stores nothing).
        TICKET_MESSAGE_LIMIT_REACHED past HDEX_SUPPORT_MESSAGE_LIMIT per window."""
        checked = self._checked(attachment)
        now = self._clock()
        with self._attaching(checked, now) as attach, self._container.uow() as uow:
            lock_wallet(uow.session, "support", address)
            ticket = tickets.ticket_of(uow.session, ticket_id, address, for_change=True)
            self._check_message_limit(uow.session, address, now)
            attach(uow.session, tickets.add_user_reply(uow.session, ticket, body, now_ms=now))
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=False)

    def close(self, address: str, ticket_id: int) -> TicketDetail:
        """The wallet closes its own ticket."""
        with self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id, address, for_change=True)
            tickets.close_by_user(uow.session, ticket, now_ms=self._clock())
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=False)

    def my_attachment(self, address: str, ticket_id: int, attachment_id: int) -> OpenedAttachment:
        """A file of the wallet's ticket: one it sent or one of staff's public replies. TICKET_NOT_FOUND for
        another wallet's ticket; TICKET_ATTACHMENT_NOT_FOUND for a file of another ticket or of an internal note,
        exactly as for one that does not exist. Not audit-logged: the wallet reads its own conversation."""
        with self._container.uow() as uow:
            tickets.ticket_of(uow.session, ticket_id, address)
            row = tickets.public_attachment(uow.session, ticket_id, attachment_id)
            if row is None:
                raise _attachment_not_found(attachment_id)
            return self._opened(row)

    # staff's side

    def queue(
        self,
        status: str | None,
        assignee: str | None,
        unassigned: bool,
        category: str | None,
        limit: int,
        below_id: int | None,
    ) -> list[TicketView]:
        """Every wallet's tickets, newest first, by status, assignee (`unassigned`: nobody's) and category."""
        with self._container.uow() as uow:
            return tickets.list_tickets(
                uow.session, status=status, assignee=assignee, unassigned=unassigned, category=category,
                limit=limit, below_id=below_id,
            )  # fmt: skip

    def ticket(self, ticket_id: int) -> TicketDetail:
        """A ticket with its whole conversation, internal notes included."""
        with self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id)
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=True)

    def assign(
        self,
        ticket_id: int,
        assignee: str | None,
        check_assignee: Callable[[Session, str | None], str | None],
        actor: str,
        ip: str | None,
    ) -> TicketDetail:
        """Give the ticket to a member of staff `check_assignee` lets have it (or nobody); audit-logged."""
        with self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id, for_change=True)
            tickets.assign(
                uow.session, ticket, assignee, check_assignee=check_assignee, actor=actor, ip=ip, now_ms=self._clock()
            )
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=True)

    def answer(
        self,
        ticket_id: int,
        body: str,
        internal: bool,
        actor: str,
        ip: str | None,
        link_base: str,
        attachment: bytes | None = None,
    ) -> TicketDetail:
        """A public reply (mailed to the wallet's verified address, through the account-mail outbox: written with
        the reply, so an SMTP server that is down delays the mail but never loses it) or an internal note, with an
        optional attachment checked and stored as the wallet's are; audit-logged."""
        checked = self._checked(attachment)
        now = self._clock()
        with self._attaching(checked, now) as attach, self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id, for_change=True)
            message = tickets.add_staff_message(
                uow.session, ticket, body, internal=internal, actor=actor, ip=ip, now_ms=now, attachment=checked
            )
            attach(uow.session, message)
            if not internal:
                uow.session.flush()  # the message's id names the mail
                reply = _reply_mail(uow.session, tickets.ticket_view(ticket), message.id, message.body, link_base, now)
                uow.session.add(reply)
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=True)

    def set_status(self, ticket_id: int, status: str, actor: str, ip: str | None) -> TicketDetail:
        """Move the ticket to `status` (see backend.support.rules); audit-logged."""
        with self._container.uow() as uow:
            ticket = tickets.ticket_of(uow.session, ticket_id, for_change=True)
            tickets.change_status(uow.session, ticket, status, actor=actor, ip=ip, now_ms=self._clock())
            uow.commit()
            return self._detail(uow.session, tickets.ticket_view(ticket), with_notes=True)

    def open_attachment(self, attachment_id: int, actor: str, ip: str | None) -> OpenedAttachment:
        """An attachment's bytes for a member of staff, audit-logged as "ticket.attachment_view" (committed
        before the bytes are handed out: no view goes unrecorded)."""
        with self._container.uow() as uow:
            row = uow.session.get(SupportAttachment, attachment_id)
            if row is None:
                raise _attachment_not_found(attachment_id)
            opened = self._opened(row)
            record_action(
                uow.session, actor=actor, action="ticket.attachment_view", target=f"ticket:{row.ticket_id}",
                after={"attachmentId": row.id, "contentType": row.content_type, "size": row.size}, ip=ip,
            )  # fmt: skip
            uow.commit()
            return opened

    def saved_replies(self) -> list[SavedReplyView]:
        with self._container.uow() as uow:
            return saved_replies.list_saved_replies(uow.session)

    def create_saved_reply(self, title: str, body: str, actor: str, ip: str | None) -> SavedReplyView:
        with self._container.uow() as uow:
            view = saved_replies.create_saved_reply(uow.session, title, body, actor=actor, ip=ip, now_ms=self._clock())
            uow.commit()
            return view

    def update_saved_reply(self, reply_id: int, title: str, body: str, actor: str, ip: str | None) -> SavedReplyView:
        with self._container.uow() as uow:
            view = saved_replies.update_saved_reply(
                uow.session, reply_id, title, body, actor=actor, ip=ip, now_ms=self._clock()
            )
            uow.commit()
            return view

    def delete_saved_reply(self, reply_id: int, actor: str, ip: str | None) -> None:
        with self._container.uow() as uow:
            saved_replies.delete_saved_reply(uow.session, reply_id, actor=actor, ip=ip)
            uow.commit()

    def stats(self, first: dt.date, last: dt.date) -> list[rules.DayFigures]:
        """The desk's figures per UTC day from `first` to `last` inclusive, a range the door checked (see
        `rules.daily_figures`)."""
        start, end = rules.day_range_ms(first, last)
        with self._container.uow() as uow:
            times = tickets.ticket_times_between(uow.session, start, end)
        return rules.daily_figures(times, first, last)

    def _opened(self, row: SupportAttachment) -> OpenedAttachment:
        """The stored file of `row`; TICKET_ATTACHMENT_NOT_FOUND if the store no longer has it."""
        try:
            data = self._store.get(row.storage_key)
        except DocumentMissing:
            raise HdexError(
                ErrorCode.TICKET_ATTACHMENT_NOT_FOUND, f"attachment {row.id} is gone", "attachmentId"
            ) from None
        return OpenedAttachment(row.id, row.ticket_id, row.content_type, data)

    def _checked(self, attachment: bytes | None) -> CheckedFile | None:
        """The attachment if it passes the upload checks (UPLOAD_TOO_LARGE, UPLOAD_TYPE_REFUSED), before
        anything is stored."""
        if attachment is None:
            return None
        return check_file(attachment, self._settings.support_max_attachment_bytes, "attachment", "an attachment")

    @contextmanager
    def _attaching(self, checked: CheckedFile | None, now: int) -> Iterator[Callable[[Session, SupportMessage], None]]:
        """Stores `checked` (if any) at once, before the block takes any lock (a slow document store must not hold
        the audit log's or a wallet's lock for the length of an upload), and yields a function that records it as
        an attachment of a message; if the block fails, the stored file is deleted again, as its row never
        committed."""
        key = None if checked is None else f"support/{secrets.token_hex(16)}"
        if checked is not None and key is not None:
            self._store.put(key, checked.data, checked.content_type)

        def attach(session: Session, message: SupportMessage) -> None:
            if checked is not None and key is not None:
                tickets.add_attachment(session, message, key, checked.content_type, checked.size, checked.sha256, now)

        try:
            yield attach
        except BaseException:
            if key is not None:
                self._store.delete(key)
            raise

    def _detail(self, session: Session, ticket: TicketView, *, with_notes: bool) -> TicketDetail:
        return TicketDetail(ticket, tickets.messages_of(session, ticket.id, with_notes=with_notes))


def _reply_mail(
    session: Session, ticket: TicketView, message_id: int, body: str, link_base: str, now_ms: int
) -> AccountMail:
    """The mail that tells the ticket's wallet of a staff reply (sent by `backend.notices` if it has a verified
    address then), framed in the language of the wallet's e-mails."""
    profile = find_profile(session, ticket.address)
    words = wording(profile.language if profile is not None else DEFAULT_LANGUAGE)
    link = f"{link_base.rstrip('/')}{TICKET_PAGE}/{ticket.id}"
    # the subject is not the user's: the outbox outlives its erasure
    return AccountMail(reference=f"support:{message_id}", wallet=ticket.address, kind="support",
                       subject=words.support_reply.format(id=ticket.id),
                       body=words.support_reply_text.format(id=ticket.id, body=body, link=link),
                       created_at_ms=now_ms)  # fmt: skip


def _attachment_not_found(attachment_id: int) -> HdexError:
    return HdexError(ErrorCode.TICKET_ATTACHMENT_NOT_FOUND, f"there is no attachment {attachment_id}", "attachmentId")
