"""Full-text search of the posts users see: PostgreSQL text search (the GIN index on
to_tsvector(search_text)) or SQLite FTS5 (the forum_posts_fts table the migration made), by the database at
hand. Every word of the query must appear (stemmed: "trades" finds "trading"); results never include a hidden
post or a post of a hidden thread.

Results come best match first (ties newest first), or newest first on request. Relevance is a score of the
post's own text against the query, never of the whole index: PostgreSQL's ts_rank over the indexed tsvector
(more occurrences, and for several words closer ones, score higher), SQLite's count of the places the query's
words occur in the post (a thread's title is part of its first post's text). FTS5's bm25() is not used: it
weighs terms by index-wide statistics (row count, average length, rows holding each term), so every new post
would change every hit's score. Scores are integers, so a cursor carries them exactly.

Pages are keyset pages on (score, id), not offsets: a hit's key never changes, so a post that arrives between
two pages lands either above the cursor (the next search shows it) or below it (a later page shows it) and
no hit is repeated or skipped; an offset would repeat the end of the previous page whenever a new post ranks
above it. Relevance scores the newest `RANKED_MATCHES` matches of the query, not all of them: a score reads the
whole post, so a common word over a large forum would cost every search seconds; older matches are found newest
first (and a post arriving between two relevance pages can push the oldest scored match out of them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Double,
    Integer,
    Select,
    Subquery,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from backend.db.models import ForumCategory, ForumPost, ForumThread
from backend.db.models.forum import POSTGRES_SEARCH_CONFIG, SQLITE_SEARCH_TABLE
from backend.forum.rules import SearchKey, SearchOrder, fts5_query, search_terms
from backend.forum.views import SearchHit, post_view

RANKED_MATCHES = 1_000  # the newest matches a relevance search scores (see the module docs)
# ts_rank is a float4 in [0, 1]; a billion steps keep its order (float4 holds about 7 digits) and make an
# integer, which a cursor carries exactly (a float's text form need not round-trip to the same float4)
POSTGRES_RANK_SCALE = 1_000_000_000
# SQLite's score: FTS5's highlight() adds one character (char(1)) before each place the query matches, so the
# lengthening is the count (highlight runs once per match: it tokenizes the whole post)
SQLITE_SCORE = f"length(highlight({SQLITE_SEARCH_TABLE}, 0, char(1), '')) - length(search_text)"


def search_posts(
    session: Session, query: str, *, order: SearchOrder, limit: int, after: SearchKey | None
) -> list[SearchHit]:
    """Posts users see that contain every word of `query` (INVALID_FIELD "q" if it has none), in `order`, the
    page after the hit with key `after` if given."""
    ranked = order is SearchOrder.RELEVANCE
    matches = _matches(session, search_terms(query), ranked=ranked)
    statement: Select[ForumPost, str, str, int] = (
        select(ForumPost, ForumThread.title, ForumCategory.slug, matches.c.score)
        .join(matches, matches.c.id == ForumPost.id)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .where(ForumPost.hidden == false(), ForumThread.hidden == false())
        .limit(limit)
    )
    if ranked:
        statement = statement.order_by(matches.c.score.desc(), ForumPost.id.desc())
        if after is not None:
            statement = statement.where(tuple_(matches.c.score, ForumPost.id) < tuple_(after.rank, after.id))
    else:
        statement = statement.order_by(ForumPost.id.desc())
        if after is not None:
            statement = statement.where(ForumPost.id < after.id)
    return [SearchHit(post_view(post), title, slug, rank) for post, title, slug, rank in session.execute(statement)]


def _matches(session: Session, terms: list[str], *, ranked: bool) -> Subquery:
    """(id, score) of the posts holding all `terms`, hidden ones too: every one with score 0 unless `ranked`
    (newest first needs none), else the newest `RANKED_MATCHES` scored. Not "rank": FTS5 tables have a hidden
    column of that name."""
    if session.get_bind().dialect.name == "postgresql":
        config: ColumnElement[str] = literal_column(f"'{POSTGRES_SEARCH_CONFIG}'::regconfig")
        # the same expression as the index, so the planner uses it
        document = func.to_tsvector(config, ForumPost.search_text)
        wanted = func.plainto_tsquery(config, " ".join(terms))
        matching = select(ForumPost.id).where(document.bool_op("@@")(wanted))
        if not ranked:
            return matching.add_columns(literal(0, BigInteger).label("score")).subquery("matches")
        # the newest ids first, then a score for those alone (not one per match, computed before the cut)
        newest = matching.order_by(ForumPost.id.desc()).limit(RANKED_MATCHES).subquery("newest")
        score = cast(func.floor(cast(func.ts_rank(document, wanted), Double) * POSTGRES_RANK_SCALE), BigInteger)
        return select(ForumPost.id, score.label("score")).join(newest, newest.c.id == ForumPost.id).subquery("matches")
    table = SQLITE_SEARCH_TABLE
    query = f"SELECT rowid AS id, 0 AS score FROM {table} WHERE {table} MATCH :match"
    if ranked:  # FTS5 returns matches in rowid order without sorting: only the rows kept are scored
        query = f"SELECT rowid AS id, {SQLITE_SCORE} AS score FROM {table} WHERE {table} MATCH :match"
        query += f" ORDER BY rowid DESC LIMIT {RANKED_MATCHES}"
    return (
        text(query)
        .bindparams(match=fts5_query(terms))
        .columns(column("id", Integer), column("score", Integer))
        .subquery("matches")
    )
