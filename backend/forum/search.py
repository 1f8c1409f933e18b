"""Full-text search of the posts users see: PostgreSQL text search (the GIN index on
to_tsvector(search_text)) or SQLite FTS5 (the forum_posts_fts table the migration made), by the database at
hand. Every word of the query must appear (stemmed: "trades" finds "trading"); results are newest first and
never include a hidden post or a post of a hidden thread."""

from __future__ import annotations

from sqlalchemy import Integer, Select, column, false, func, literal_column, select, text
from sqlalchemy.orm import Session

from backend.db.models import ForumCategory, ForumPost, ForumThread
from backend.db.models.forum import POSTGRES_SEARCH_CONFIG, SQLITE_SEARCH_TABLE
from backend.forum.rules import fts5_query, search_terms
from backend.forum.views import SearchHit, post_view


def search_posts(session: Session, query: str, *, limit: int, below_id: int | None) -> list[SearchHit]:
    """Posts users see that contain every word of `query` (INVALID_FIELD "q" if it has none), newest first,
    with ids below `below_id` if given."""
    terms = search_terms(query)
    statement: Select[ForumPost, str, str] = (
        select(ForumPost, ForumThread.title, ForumCategory.slug)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .where(ForumPost.hidden == false(), ForumThread.hidden == false())
        .order_by(ForumPost.id.desc())
        .limit(limit)
    )
    if below_id is not None:
        statement = statement.where(ForumPost.id < below_id)
    if session.get_bind().dialect.name == "postgresql":
        # the same expression as the index, so the planner uses it
        document = func.to_tsvector(literal_column(f"'{POSTGRES_SEARCH_CONFIG}'::regconfig"), ForumPost.search_text)
        wanted = func.plainto_tsquery(literal_column(f"'{POSTGRES_SEARCH_CONFIG}'::regconfig"), " ".join(terms))
        statement = statement.where(document.bool_op("@@")(wanted))
    else:
        matching = (
            text(f"SELECT rowid AS id FROM {SQLITE_SEARCH_TABLE} WHERE {SQLITE_SEARCH_TABLE} MATCH :match")
            .bindparams(match=fts5_query(terms))
            .columns(column("id", Integer))
        )
        statement = statement.where(ForumPost.id.in_(matching))
    return [SearchHit(post_view(post), title, slug) for post, title, slug in session.execute(statement)]
