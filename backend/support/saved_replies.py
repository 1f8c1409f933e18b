"""Saved replies: canned answers staff keep (a unique title and a Markdown body) and pick when replying.

Runs inside the caller's unit of work; each change writes its audit-log entry there (actions
"saved_reply.create", "saved_reply.update", "saved_reply.delete"; target "saved_reply:<id>").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.audit_log import record_action
from backend.db.locks import flush_unique
from backend.db.models import SavedReply
from backend.errors import ErrorCode, HdexError
from backend.markup import render
from backend.support.tickets import CONTROL_CHARS, check_body

MAX_TITLE_CHARS = 120
MAX_SAVED_REPLIES = 500


@dataclass(frozen=True, slots=True)
class SavedReplyView:
    id: int
    title: str
    body: str
    html: str
    updated_by: str
    updated_at_ms: int


def check_title(title: str) -> str:
    """The title trimmed: one line of 1 to MAX_TITLE_CHARS characters, else INVALID_FIELD."""
    trimmed = title.strip()
    if not trimmed or len(trimmed) > MAX_TITLE_CHARS or CONTROL_CHARS.search(trimmed):
        raise HdexError(ErrorCode.INVALID_FIELD, f"a title is one line of 1 to {MAX_TITLE_CHARS} characters", "title")
    return trimmed


def list_saved_replies(session: Session) -> list[SavedReplyView]:
    """Every saved reply, by title."""
    return [_view(row) for row in session.scalars(select(SavedReply).order_by(SavedReply.title, SavedReply.id))]


def create_saved_reply(
    session: Session, title: str, body: str, *, actor: str, ip: str | None, now_ms: int
) -> SavedReplyView:
    """A new saved reply (SAVED_REPLY_TITLE_TAKEN if its title is another's)."""
    title, body = check_title(title), check_body(body, "body")
    render(body)  # refused now if it would render too large, never at a read
    if session.scalars(select(func.count()).select_from(SavedReply)).one() >= MAX_SAVED_REPLIES:
        raise HdexError(ErrorCode.INVALID_FIELD, f"keep at most {MAX_SAVED_REPLIES} saved replies", "title")
    _refuse_taken(session, title, None)
    row = SavedReply(title=title, body=body, updated_by=actor, updated_at_ms=now_ms)
    session.add(row)
    flush_unique(session, _title_taken(title))
    record_action(
        session, actor=actor, action="saved_reply.create", target=f"saved_reply:{row.id}", before=None,
        after={"title": title, "body": body}, ip=ip,
    )  # fmt: skip
    return _view(row)


def update_saved_reply(
    session: Session, reply_id: int, title: str, body: str, *, actor: str, ip: str | None, now_ms: int
) -> SavedReplyView:
    """Change a saved reply's title and body (SAVED_REPLY_NOT_FOUND, SAVED_REPLY_TITLE_TAKEN)."""
    row = _row(session, reply_id)
    title, body = check_title(title), check_body(body, "body")
    render(body)  # refused now if it would render too large, never at a read
    _refuse_taken(session, title, row.id)
    before = {"title": row.title, "body": row.body}
    row.title, row.body, row.updated_by, row.updated_at_ms = title, body, actor, now_ms
    flush_unique(session, _title_taken(title))
    record_action(
        session, actor=actor, action="saved_reply.update", target=f"saved_reply:{row.id}", before=before,
        after={"title": title, "body": body}, ip=ip,
    )  # fmt: skip
    return _view(row)


def delete_saved_reply(session: Session, reply_id: int, *, actor: str, ip: str | None) -> None:
    """Remove a saved reply (SAVED_REPLY_NOT_FOUND)."""
    row = _row(session, reply_id)
    before = {"title": row.title, "body": row.body}
    session.delete(row)
    session.flush()
    record_action(
        session, actor=actor, action="saved_reply.delete", target=f"saved_reply:{reply_id}", before=before,
        after=None, ip=ip,
    )  # fmt: skip


def _row(session: Session, reply_id: int) -> SavedReply:
    row = session.get(SavedReply, reply_id)
    if row is None:
        raise HdexError(ErrorCode.SAVED_REPLY_NOT_FOUND, f"there is no saved reply {reply_id}", "savedReplyId")
    return row


def _refuse_taken(session: Session, title: str, own_id: int | None) -> None:
    other = session.scalar(select(SavedReply.id).where(SavedReply.title == title))
    if other is not None and other != own_id:
        raise _title_taken(title)


def _title_taken(title: str) -> HdexError:
    return HdexError(ErrorCode.SAVED_REPLY_TITLE_TAKEN, f"a saved reply is already called {title!r}", "title")


def _view(row: SavedReply) -> SavedReplyView:
    return SavedReplyView(row.id, row.title, row.body, render(row.body, stored=True), row.updated_by, row.updated_at_ms)
