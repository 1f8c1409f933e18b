"""Reading and writing the forum as users do: categories, threads newest activity first, a thread's posts
oldest first, a new thread, a reply, a report of a post.

Users never see what a moderator hid: a hidden thread is FORUM_THREAD_NOT_FOUND, a hidden post is left out of
its thread (and of search). Writing needs a wallet that is not banned (FORUM_BANNED) and within its posting
limits (FORUM_POSTING_LIMITED, with Retry-After); a locked thread takes no reply (FORUM_THREAD_LOCKED).
Markdown is rendered once, when written, by `backend.markup.render`; a post changes after that only when
`erase_writing_of` erases it at its author's request. The caller commits.
"""

from __future__ import annotations

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.locks import lock_wallet
from backend.db.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread
from backend.errors import ErrorCode, HdexError
from backend.forum.rules import (
    HOUR_MS,
    PostingLimits,
    ThreadKey,
    clean_body,
    clean_reason,
    clean_title,
    refuse_if_limited,
    refuse_report_if_limited,
)
from backend.forum.views import (
    CategoryView,
    PostView,
    ThreadView,
    category_view,
    post_view,
    thread_view,
)
from backend.markup import plain, render

OPEN = "open"


def list_categories(session: Session) -> list[CategoryView]:
    """Every category in its position, with the number of threads users see in it."""
    counts = shown_thread_counts(session)
    categories = session.scalars(select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id))
    return [category_view(category, counts.get(category.id, 0)) for category in categories]


def shown_thread_counts(session: Session, category_id: int | None = None) -> dict[int, int]:
    """category id -> the number of threads users see in it (of `category_id` only, if given); none: absent."""
    query = select(ForumThread.category_id, func.count()).where(ForumThread.hidden == false())
    if category_id is not None:
        query = query.where(ForumThread.category_id == category_id)
    return {found: count for found, count in session.execute(query.group_by(ForumThread.category_id))}


def category_by_slug(session: Session, slug: str) -> ForumCategory:
    """The category, or FORUM_CATEGORY_NOT_FOUND."""
    category = session.scalar(select(ForumCategory).where(ForumCategory.slug == slug))
    if category is None:
        raise HdexError(ErrorCode.FORUM_CATEGORY_NOT_FOUND, f"there is no category {slug!r}", "category")
    return category


def list_threads(
    session: Session, *, category: str | None, limit: int, after: ThreadKey | None, include_hidden: bool = False
) -> list[ThreadView]:
    """Threads of one category (by slug; all categories if None) that users see, pinned first, then newest
    activity first; the page after `after` if given. Moderators may ask for hidden ones too."""
    query = select(ForumThread, ForumCategory.slug).join(ForumCategory, ForumCategory.id == ForumThread.category_id)
    if category is not None:
        query = query.where(ForumThread.category_id == category_by_slug(session, category).id)
    if not include_hidden:
        query = query.where(ForumThread.hidden == false())
    if after is not None:
        later = or_(
            ForumThread.last_post_at_ms < after.last_post_at_ms,
            and_(ForumThread.last_post_at_ms == after.last_post_at_ms, ForumThread.id < after.id),
        )
        if after.pinned:
            query = query.where(or_(ForumThread.pinned == false(), and_(ForumThread.pinned == true(), later)))
        else:
            query = query.where(ForumThread.pinned == false(), later)
    query = query.order_by(ForumThread.pinned.desc(), ForumThread.last_post_at_ms.desc(), ForumThread.id.desc())
    rows = session.execute(query.limit(limit)).all()
    counts = _visible_reply_counts(session, [thread.id for thread, _ in rows])
    return [thread_view(thread, slug, counts.get(thread.id, 0)) for thread, slug in rows]


def thread_key(view: ThreadView) -> ThreadKey:
    return ThreadKey(view.pinned, view.last_post_at_ms, view.id)


def get_thread(session: Session, thread_id: int, *, include_hidden: bool = False) -> ThreadView:
    """The thread, or FORUM_THREAD_NOT_FOUND (also for a hidden one, unless a moderator asks)."""
    thread = _thread(session, thread_id, include_hidden=include_hidden)
    slug = session.scalar(select(ForumCategory.slug).where(ForumCategory.id == thread.category_id)) or ""
    return thread_view(thread, slug, _visible_reply_counts(session, [thread.id]).get(thread.id, 0))


def list_posts(
    session: Session, thread_id: int, *, limit: int, after_id: int | None, include_hidden: bool = False
) -> list[PostView]:
    """The posts of a thread users may see, oldest first, with ids above `after_id` if given."""
    _thread(session, thread_id, include_hidden=include_hidden)
    query = select(ForumPost).where(ForumPost.thread_id == thread_id).order_by(ForumPost.id).limit(limit)
    if not include_hidden:
        query = query.where(ForumPost.hidden == false())
    if after_id is not None:
        query = query.where(ForumPost.id > after_id)
    return [post_view(post) for post in session.scalars(query)]


def create_thread(
    session: Session, category: str, title: str, body: str, *, author: str, limits: PostingLimits, now_ms: int
) -> tuple[ThreadView, PostView]:
    """A new thread in the category (by slug) with its first post by `author`."""
    clean = clean_title(title)
    source = clean_body(body)
    found = category_by_slug(session, category)
    _refuse_if_cannot_post(session, author, limits, now_ms)
    thread = ForumThread(
        category_id=found.id, title=clean, author=author, pinned=False, locked=False, hidden=False,
        created_at_ms=now_ms, last_post_at_ms=now_ms,
    )  # fmt: skip
    session.add(thread)
    session.flush()
    post = _post(session, thread, source, author=author, now_ms=now_ms, title=clean)
    return thread_view(thread, found.slug, 0), post_view(post)


def reply(session: Session, thread_id: int, body: str, *, author: str, limits: PostingLimits, now_ms: int) -> PostView:
    """A reply by `author` to a thread users see that is not locked."""
    source = clean_body(body)
    thread = _thread(session, thread_id, include_hidden=False)
    if thread.locked:
        raise HdexError(ErrorCode.FORUM_THREAD_LOCKED, "this thread is locked: it takes no more replies", "threadId")
    _refuse_if_cannot_post(session, author, limits, now_ms)
    post = _post(session, thread, source, author=author, now_ms=now_ms, title=None)
    thread.last_post_at_ms = max(thread.last_post_at_ms, now_ms)
    return post_view(post)


def report_post(session: Session, post_id: int, reason: str, *, reporter: str, per_hour: int, now_ms: int) -> int:
    """Reports a post users see (not one's own), with a reason: once per wallet per post
    (FORUM_ALREADY_REPORTED); at most `per_hour` reports an hour per wallet; none by a banned wallet
    (FORUM_BANNED: its reasons are writing too, read by the moderators). Returns the report's id."""
    clean = clean_reason(reason)
    lock_wallet(session, "forum", reporter)  # the limit counts the wallet's reports: one check at a time
    if is_banned(session, reporter):
        raise HdexError(ErrorCode.FORUM_BANNED, "your wallet is banned from the forum: it cannot report posts")
    post = session.get(ForumPost, post_id)
    thread = None if post is None else session.get(ForumThread, post.thread_id)
    if post is None or thread is None or post.hidden or thread.hidden:
        raise HdexError(ErrorCode.FORUM_POST_NOT_FOUND, f"there is no post {post_id}", "postId")
    if post.author == reporter:
        raise HdexError(ErrorCode.INVALID_FIELD, "you cannot report your own post", "postId")
    taken = session.scalar(
        select(ForumReport.id).where(ForumReport.post_id == post_id, ForumReport.reporter == reporter)
    )
    if taken is not None:
        raise HdexError(ErrorCode.FORUM_ALREADY_REPORTED, "you reported this post already", "postId")
    recent = session.scalars(
        select(ForumReport.created_at_ms).where(
            ForumReport.reporter == reporter, ForumReport.created_at_ms > now_ms - HOUR_MS
        )
    ).all()
    refuse_report_if_limited(recent, per_hour, now_ms)
    report = ForumReport(
        post_id=post_id, reporter=reporter, reason=clean, status=OPEN, created_at_ms=now_ms, resolved_by=None,
        resolved_at_ms=None,
    )  # fmt: skip
    session.add(report)
    try:
        session.flush()
    except IntegrityError:  # the same wallet's report of the same post, a moment ago
        raise HdexError(ErrorCode.FORUM_ALREADY_REPORTED, "you reported this post already", "postId") from None
    return report.id


def is_banned(session: Session, wallet: str) -> bool:
    return session.get(ForumBan, wallet) is not None


def erase_writing_of(session: Session, author: str, marker: str) -> tuple[int, int, int]:
    """Replace the titles of `author`'s threads, the bodies of its posts (hidden ones too) and the reasons of its
    reports by `marker`; the threads stay, so other wallets' replies keep their place, and so do the reports, so
    the moderators' queue keeps its counts. An erased post has no search text: the update refreshes the search
    index (SQLite's triggers, PostgreSQL's index on the column) and search never finds it.
    Returns (threads, posts, reports) changed; what was erased already is not counted again."""
    threads = list(
        session.scalars(select(ForumThread).where(ForumThread.author == author, ForumThread.title != marker))
    )
    posts = list(session.scalars(select(ForumPost).where(ForumPost.author == author, ForumPost.body_source != marker)))
    reports = list(
        session.scalars(select(ForumReport).where(ForumReport.reporter == author, ForumReport.reason != marker))
    )
    for thread in threads:
        thread.title = marker
    for post in posts:
        post.body_source, post.body_html, post.search_text = marker, render(marker), ""
    for report in reports:
        report.reason = marker
    session.flush()
    return len(threads), len(posts), len(reports)


def _refuse_if_cannot_post(session: Session, author: str, limits: PostingLimits, now_ms: int) -> None:
    lock_wallet(session, "forum", author)  # the limits count the wallet's posts: one check at a time
    if is_banned(session, author):
        raise HdexError(ErrorCode.FORUM_BANNED, "your wallet is banned from posting in the forum")
    recent = session.scalars(
        select(ForumPost.created_at_ms).where(ForumPost.author == author, ForumPost.created_at_ms > now_ms - HOUR_MS)
    ).all()
    refuse_if_limited(recent, limits, now_ms)


def _post(
    session: Session, thread: ForumThread, source: str, *, author: str, now_ms: int, title: str | None
) -> ForumPost:
    words = plain(source, "message")
    post = ForumPost(
        thread_id=thread.id, author=author, body_source=source, body_html=render(source, "message"),
        search_text=f"{title}\n{words}" if title is not None else words, hidden=False, created_at_ms=now_ms,
    )  # fmt: skip
    session.add(post)
    session.flush()
    return post


def _thread(session: Session, thread_id: int, *, include_hidden: bool) -> ForumThread:
    thread = session.get(ForumThread, thread_id)
    if thread is None or (thread.hidden and not include_hidden):
        raise HdexError(ErrorCode.FORUM_THREAD_NOT_FOUND, f"there is no thread {thread_id}", "threadId")
    return thread


def _visible_reply_counts(session: Session, thread_ids: list[int]) -> dict[int, int]:
    """Replies users see per thread: visible posts other than the thread's first. A hidden first post is not a reply,
    so it must not take one off the replies still shown (a count of visible posts less one did)."""
    if not thread_ids:
        return {}
    first = (
        select(ForumPost.thread_id, func.min(ForumPost.id).label("first_id"))
        .where(ForumPost.thread_id.in_(thread_ids))
        .group_by(ForumPost.thread_id)
        .subquery()
    )
    rows = session.execute(
        select(ForumPost.thread_id, func.count())
        .join(first, first.c.thread_id == ForumPost.thread_id)
        .where(ForumPost.hidden == false(), ForumPost.id != first.c.first_id)
        .group_by(ForumPost.thread_id)
    )
    return {thread_id: count for thread_id, count in rows}
