"""The support desk (issue 16): tickets a wallet opens, the messages on them (the user's, staff replies and
staff-only internal notes), their attachments in the document store, and the saved replies staff reuse.

Addresses are EIP-55. Times are epoch ms. Message bodies are stored as typed (Markdown) and rendered to
safe HTML only on the way out (backend.markup).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


class SupportTicket(Base):
    """A wallet's request for help: open -> waiting_for_user -> resolved -> closed (backend.support.rules).

    `first_response_at_ms` is the first public staff reply; `resolved_at_ms` the time it was first resolved
    or closed (resolved, then closed keeps it; cleared when it reopens).
    """

    __tablename__ = "support_tickets"
    __table_args__ = (
        Index("ix_support_tickets_address_created", "address", "created_at_ms"),
        Index("ix_support_tickets_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(42))
    category: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24))
    assignee: Mapped[str | None] = mapped_column(String(320), index=True)  # a staff e-mail
    created_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    first_response_at_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)
    resolved_at_ms: Mapped[int | None] = mapped_column(BigInteger, index=True)


class SupportMessage(Base):
    """One message on a ticket, never edited: kind "user" (the wallet), "reply" (staff, public) or "note"
    (staff only: never shown to the wallet, never mailed)."""

    __tablename__ = "support_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("support_tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(320))  # "wallet:0x..", "staff:<e-mail>"
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # `body` rendered (backend.markup) when written
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class SupportAttachment(Base):
    """A file the wallet sent with its ticket, kept in the document store under `storage_key`."""

    __tablename__ = "support_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer, ForeignKey("support_tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(Integer, ForeignKey("support_messages.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class SavedReply(Base):
    """A canned answer staff pick when replying (its body is Markdown, like a reply's)."""

    __tablename__ = "support_saved_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
