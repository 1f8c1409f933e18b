"""The community forum (issue 16): categories, threads, posts, users' reports of posts and wallets banned from
posting.

Authors and reporters are EIP-55 wallet addresses; staff are "staff:<e-mail>". A post keeps the Markdown its
author typed (`body_source`), the safe HTML rendered from it once (`body_html`, by `backend.markup.render`) and
the plain text full-text search reads (`search_text`: a first post's carries its thread's title). Search
indexes live beside the tables: a GIN index on PostgreSQL (below, created on PostgreSQL only) and an FTS5
table on SQLite (created by migration 0015, kept in step by triggers). Times are epoch ms.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.models.base import Base

# SQLite's full-text index of forum_posts.search_text (an FTS5 table with external content: its rowid is
# the post id) and the tables FTS5 keeps for it; none exists on PostgreSQL.
SQLITE_SEARCH_TABLE = "forum_posts_fts"
SQLITE_SEARCH_TABLES = frozenset(
    {SQLITE_SEARCH_TABLE, *(f"{SQLITE_SEARCH_TABLE}_{part}" for part in ("config", "data", "docsize", "idx"))}
)
# PostgreSQL's text search configuration of the index and of every query (they must match to use the index)
POSTGRES_SEARCH_CONFIG = "english"


class ForumCategory(Base):
    """A category threads are posted in; seeded by the migration, added by moderators."""

    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)  # the order categories are listed in
    created_by: Mapped[str] = mapped_column(String(320))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    # language -> {"name", "description"} in the dApp's other languages (backend.accounts.languages.TRANSLATED)
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)


class ForumThread(Base):
    """A thread: a title, its posts (the first written with it), and what moderators set on it."""

    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_listing", "category_id", "pinned", "last_post_at_ms", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, ForeignKey("forum_categories.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(42))
    pinned: Mapped[bool] = mapped_column(Boolean)
    locked: Mapped[bool] = mapped_column(Boolean)
    hidden: Mapped[bool] = mapped_column(Boolean)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    last_post_at_ms: Mapped[int] = mapped_column(BigInteger)  # the activity threads are listed by


class ForumPost(Base):
    """A post in a thread: its Markdown, the safe HTML rendered from it, the text search reads."""

    __tablename__ = "forum_posts"
    __table_args__ = (
        Index("ix_forum_posts_author_created_at_ms", "author", "created_at_ms"),  # posting limits
        # PostgreSQL full-text search; the same expression as the queries in backend.forum.search
        Index(
            "ix_forum_posts_search",
            text(f"to_tsvector('{POSTGRES_SEARCH_CONFIG}'::regconfig, search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(42))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class ForumReport(Base):
    """A wallet's report of a post (one per wallet per post): open until a moderator hides the post or
    dismisses the report."""

    __tablename__ = "forum_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter", name="uq_forum_reports_post_id_reporter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer, ForeignKey("forum_posts.id", ondelete="CASCADE"))
    reporter: Mapped[str] = mapped_column(String(42), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | hidden | dismissed
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    resolved_by: Mapped[str | None] = mapped_column(String(320))
    resolved_at_ms: Mapped[int | None] = mapped_column(BigInteger)


class ForumBan(Base):
    """A wallet banned from posting; unbanning deletes the row (the audit log keeps both)."""

    __tablename__ = "forum_bans"

    wallet: Mapped[str] = mapped_column(String(42), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    banned_by: Mapped[str] = mapped_column(String(320))
    banned_at_ms: Mapped[int] = mapped_column(BigInteger)
