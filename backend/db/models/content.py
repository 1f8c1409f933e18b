"""Content staff write for everyone to read (issue 16): announcements shown for a time window, and the help
center's articles with their translations. Bodies are Markdown as typed; doors render them through
`backend.markup.render` only. Times are epoch ms.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base


class Announcement(Base):
    """An announcement shown while `starts_at_ms <= now < ends_at_ms`, unless withdrawn; in English, and in the
    other languages it is translated into."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_window", "starts_at_ms", "ends_at_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    placement: Mapped[str] = mapped_column(String(16))  # banner | dialog
    starts_at_ms: Mapped[int] = mapped_column(BigInteger)
    ends_at_ms: Mapped[int] = mapped_column(BigInteger)
    withdrawn_at_ms: Mapped[int | None] = mapped_column(BigInteger)
    mailed_at_ms: Mapped[int | None] = mapped_column(BigInteger)  # in the account-mail outbox (`backend.notices`)
    withdrawn_by: Mapped[str | None] = mapped_column(String(320))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    # language -> {"title", "body"} in the dApp's other languages (backend.accounts.languages.TRANSLATED): written
    # with the announcement, never on their own, so they sit beside it rather than in a table of their own
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)


class HelpArticle(Base):
    """A help-center article; the public sees it only while `published`."""

    __tablename__ = "help_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    # title and body case-folded (backend.help.articles.fold), which search matches: SQLite's lower() folds
    # ASCII only
    search_text: Mapped[str] = mapped_column(Text)
    # Rendered once when written (backend.help.articles): a list of articles renders nothing per read
    body_html: Mapped[str] = mapped_column(Text, server_default="")
    excerpt: Mapped[str] = mapped_column(Text, server_default="")
    published: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class HelpArticleTranslation(Base):
    """An article in another of the dApp's languages (backend.accounts.languages): readers in that language see it
    instead of the English text; the slug and the published flag stay the article's."""

    __tablename__ = "help_article_translations"
    __table_args__ = (UniqueConstraint("article_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, ForeignKey("help_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))  # zh-CN (English is the article itself)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    search_text: Mapped[str] = mapped_column(Text)  # as HelpArticle's: title and body folded
    body_html: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)
    # backend.accounts.languages.source_digest of the English title and body it was written from: the English changed
    # since when they differ (the article's updated_at_ms also moves on publishing, which changes no words)
    source_digest: Mapped[str] = mapped_column(String(64))
