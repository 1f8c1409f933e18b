"""Moderation by staff (permission forum.moderate; the API checks it): pin, lock and hide threads, hide posts,
the queue of users' reports (hide the post, or dismiss), bans of wallets from posting, categories added, changed,
moved and (empty) deleted.

Each change writes its audit-log entry in the caller's unit of work (actions "forum.thread.pin",
"forum.thread.lock", "forum.thread.hide", "forum.post.hide", "forum.report.dismiss", "forum.ban",
"forum.unban", "forum.category.create", "forum.category.change", "forum.category.move",
"forum.category.delete"; targets "forum_thread:<id>", "forum_post:<id>", "forum_report:<id>", "wallet:<address>",
"forum_category:<slug>"); the caller commits. Setting a flag to the value it has changes nothing and writes no
entry, as does moving the first category up or the last down. Hiding a post closes its open reports ("hidden");
unhiding leaves them closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from backend.accounts.languages import followed_source, source_digest
from backend.audit_log import record_action
from backend.db.locks import flush_unique, get_for_change
from backend.db.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread
from backend.errors import ErrorCode, HdexError
from backend.forum.rules import clean_category_text, clean_category_translations, clean_reason, clean_slug
from backend.forum.threads import category_by_slug, get_thread, list_categories, shown_thread_counts
from backend.forum.views import (
    BanView,
    CategoryView,
    PostView,
    ReportView,
    ThreadView,
    ban_view,
    category_view,
    category_words,
    post_view,
    report_view,
)

OPEN, HIDDEN, DISMISSED = "open", "hidden", "dismissed"
ThreadAction = Literal["pin", "unpin", "lock", "unlock", "hide", "unhide"]
CategoryMove = Literal["up", "down"]
_FLAG_OF = {"pin": "pinned", "lock": "locked", "hide": "hidden"}  # "un" + the action clears the flag
# a report with the post it is about and that post's thread
_REPORT_ROWS = (
    select(ForumReport, ForumPost, ForumThread)
    .join(ForumPost, ForumPost.id == ForumReport.post_id)
    .join(ForumThread, ForumThread.id == ForumPost.thread_id)
)


def moderate_thread(
    session: Session, thread_id: int, action: ThreadAction, *, actor: str, ip: str | None
) -> ThreadView:
    """Pin, lock or hide a thread, or undo it ("unpin", "unlock", "unhide"); audit-logged as
    "forum.thread.pin", ".lock" or ".hide" either way."""
    verb = action.removeprefix("un")
    flag, value = _FLAG_OF[verb], verb == action
    thread = session.get(ForumThread, thread_id)
    if thread is None:
        raise HdexError(ErrorCode.FORUM_THREAD_NOT_FOUND, f"there is no thread {thread_id}", "threadId")
    before = bool(getattr(thread, flag))
    if before != value:
        setattr(thread, flag, value)
        record_action(
            session, actor=actor, action=f"forum.thread.{verb}", target=f"forum_thread:{thread.id}",
            before={flag: before}, after={flag: value}, ip=ip,
        )  # fmt: skip
        session.flush()
    return get_thread(session, thread_id, include_hidden=True)


def set_post_hidden(
    session: Session, post_id: int, hidden: bool, *, actor: str, ip: str | None, now_ms: int
) -> PostView:
    """Hide a post from users (its open reports close as "hidden"), or show it again. The post is locked first
    (`get_for_change`): a hide and a dismissal of one of its reports at once must not both close that report."""
    post = get_for_change(session, ForumPost, post_id)
    if post is None:
        raise HdexError(ErrorCode.FORUM_POST_NOT_FOUND, f"there is no post {post_id}", "postId")
    if post.hidden != hidden:
        before = post.hidden
        post.hidden = hidden
        closed: list[int] = []
        if hidden:
            for report in session.scalars(
                select(ForumReport).where(ForumReport.post_id == post_id, ForumReport.status == OPEN)
            ):
                report.status, report.resolved_by, report.resolved_at_ms = HIDDEN, actor, now_ms
                closed.append(report.id)
        record_action(
            session, actor=actor, action="forum.post.hide", target=f"forum_post:{post.id}",
            before={"hidden": before}, after={"hidden": hidden, "reportsClosed": sorted(closed)}, ip=ip,
        )  # fmt: skip
        session.flush()
    return post_view(post)


def dismiss_report(session: Session, report_id: int, *, actor: str, ip: str | None, now_ms: int) -> ReportView:
    """Close an open report without hiding its post (FORUM_REPORT_CLOSED if it is closed already, or closed by a
    hide of its post meanwhile: the post is locked, as a hide locks it, and the report read again after)."""
    get_for_change(session, ForumPost, _report(session, report_id).post_id)
    report = session.get_one(ForumReport, report_id, populate_existing=True)
    if report.status != OPEN:
        raise HdexError(ErrorCode.FORUM_REPORT_CLOSED, f"report {report_id} is {report.status} already", "reportId")
    report.status, report.resolved_by, report.resolved_at_ms = DISMISSED, actor, now_ms
    record_action(
        session, actor=actor, action="forum.report.dismiss", target=f"forum_report:{report.id}",
        before={"status": OPEN}, after={"status": DISMISSED, "postId": report.post_id}, ip=ip,
    )  # fmt: skip
    session.flush()
    return _report_views(session, _REPORT_ROWS.where(ForumReport.id == report.id))[0]


def list_reports(session: Session, *, status: str | None, limit: int, below_id: int | None) -> list[ReportView]:
    """Reports newest first, of one status if given, with ids below `below_id` if given."""
    query = _REPORT_ROWS.order_by(ForumReport.id.desc()).limit(limit)
    if status is not None:
        query = query.where(ForumReport.status == status)
    if below_id is not None:
        query = query.where(ForumReport.id < below_id)
    return _report_views(session, query)


def ban_wallet(session: Session, wallet: str, reason: str, *, actor: str, ip: str | None, now_ms: int) -> BanView:
    """Ban `wallet` (EIP-55) from posting, with a reason (FORUM_ALREADY_BANNED if it is)."""
    clean = clean_reason(reason)
    if session.get(ForumBan, wallet) is not None:
        raise HdexError(ErrorCode.FORUM_ALREADY_BANNED, f"{wallet} is banned already", "wallet")
    ban = ForumBan(wallet=wallet, reason=clean, banned_by=actor, banned_at_ms=now_ms)
    session.add(ban)
    flush_unique(session, HdexError(ErrorCode.FORUM_ALREADY_BANNED, f"{wallet} is banned already", "wallet"))
    record_action(
        session, actor=actor, action="forum.ban", target=f"wallet:{wallet}", before=None,
        after={"reason": clean}, ip=ip,
    )  # fmt: skip
    session.flush()
    return ban_view(ban)


def unban_wallet(session: Session, wallet: str, reason: str | None, *, actor: str, ip: str | None) -> None:
    """Lift a wallet's ban (FORUM_BAN_NOT_FOUND if it has none)."""
    ban = session.get(ForumBan, wallet)
    if ban is None:
        raise HdexError(ErrorCode.FORUM_BAN_NOT_FOUND, f"{wallet} is not banned", "wallet")
    why = clean_reason(reason) if reason is not None and reason.strip() else None
    record_action(
        session, actor=actor, action="forum.unban", target=f"wallet:{wallet}",
        before={"reason": ban.reason, "bannedBy": ban.banned_by}, after={"reason": why}, ip=ip,
    )  # fmt: skip
    session.delete(ban)
    session.flush()


def list_bans(session: Session, *, limit: int, after: tuple[int, str] | None = None) -> list[BanView]:
    """Banned wallets, newest ban first (then by wallet), those after `after` (the last listed ban's
    (banned_at_ms, wallet): `parse_ban_cursor`) if given."""
    query = select(ForumBan).order_by(ForumBan.banned_at_ms.desc(), ForumBan.wallet).limit(limit)
    if after is not None:
        at_ms, wallet = after
        query = query.where(
            (ForumBan.banned_at_ms < at_ms) | ((ForumBan.banned_at_ms == at_ms) & (ForumBan.wallet > wallet))
        )
    return [ban_view(ban) for ban in session.scalars(query)]


def create_category(
    session: Session, slug: str, name: str, description: str, *, actor: str, ip: str | None, now_ms: int,
    translations: Mapping[str, tuple[str, str]] | None = None,
) -> CategoryView:  # fmt: skip
    """A new category, listed after the others (FORUM_CATEGORY_EXISTS if the slug is taken), with its (name,
    description) in the dApp's other languages by language."""
    clean = clean_slug(slug)
    name, description = clean_category_text(name, description)
    translated = _with_sources(clean_category_translations(translations or {}), name, description, {}, "")
    if session.scalar(select(ForumCategory.id).where(ForumCategory.slug == clean)) is not None:
        raise HdexError(ErrorCode.FORUM_CATEGORY_EXISTS, f"a category {clean!r} exists", "slug")
    position = (session.scalar(select(func.max(ForumCategory.position))) or 0) + 1
    category = ForumCategory(
        slug=clean, name=name, description=description, position=position, created_by=actor, created_at_ms=now_ms,
        translations=translated,
    )  # fmt: skip
    session.add(category)
    flush_unique(session, HdexError(ErrorCode.FORUM_CATEGORY_EXISTS, f"a category {clean!r} exists", "slug"))
    after = {"name": name, "description": description, "position": position, "translations": category_words(translated)}
    record_action(
        session, actor=actor, action="forum.category.create", target=f"forum_category:{clean}", before=None,
        after=after, ip=ip,
    )  # fmt: skip
    return category_view(category, 0)


def change_category(
    session: Session, slug: str, name: str, description: str, *, actor: str, ip: str | None,
    translations: Mapping[str, tuple[str, str]], still_fit: frozenset[str] = frozenset(),
) -> CategoryView:  # fmt: skip
    """Rename a category and rewrite its description and translations (every language it has: one left out is
    removed); its slug and place stay. A translation sent as it was while the English changed is outdated (staff
    see it so) unless its language is in `still_fit`. FORUM_CATEGORY_NOT_FOUND for an unknown slug."""
    name, description = clean_category_text(name, description)
    cleaned = clean_category_translations(translations)
    category = category_by_slug(session, slug)
    held = source_digest(category.name, category.description)
    translated = _with_sources(cleaned, name, description, category.translations, held, still_fit)
    words = category_words(category.translations)
    before = {"name": category.name, "description": category.description, "translations": words}
    category.name, category.description, category.translations = name, description, translated
    after = {"name": name, "description": description, "translations": category_words(translated)}
    record_action(
        session, actor=actor, action="forum.category.change", target=f"forum_category:{category.slug}",
        before=before, after=after, ip=ip,
    )  # fmt: skip
    return category_view(category, shown_thread_counts(session, category.id).get(category.id, 0))


def delete_category(session: Session, slug: str, *, actor: str, ip: str | None) -> list[CategoryView]:
    """Remove a category no thread was ever posted in (one with a slug mistyped, or not wanted after all), audit-
    logged "forum.category.delete" with what it said; FORUM_CATEGORY_NOT_EMPTY while threads are in it, hidden ones
    too (their posts would lose their place), FORUM_CATEGORY_NOT_FOUND for an unknown slug. Every category left."""
    category = get_for_change(session, ForumCategory, category_by_slug(session, slug).id)
    if category is None:  # another moderator deleted it between the look-up and the lock: gone, as asked
        raise HdexError(ErrorCode.FORUM_CATEGORY_NOT_FOUND, f"there is no category {slug!r}", "category")
    threads = session.scalar(select(func.count()).where(ForumThread.category_id == category.id)) or 0
    if threads:
        raise HdexError(
            ErrorCode.FORUM_CATEGORY_NOT_EMPTY,
            f"{threads} thread(s) are in {slug!r} (hidden ones count): a category with threads stays",
            "slug",
        )
    words = category_words(category.translations)
    before = {"name": category.name, "description": category.description, "translations": words}
    record_action(
        session, actor=actor, action="forum.category.delete", target=f"forum_category:{slug}", before=before,
        after=None, ip=ip,
    )  # fmt: skip
    session.delete(category)
    session.flush()
    return list_categories(session)


def _with_sources(
    translated: Mapping[str, Mapping[str, str]], name: str, description: str,
    held: Mapping[str, Mapping[str, str]], held_source: str, still_fit: frozenset[str] = frozenset(),
) -> dict[str, dict[str, str]]:  # fmt: skip
    """Translations as stored: each with the digest of the English (`name`, `description`) it follows."""
    current = source_digest(name, description)
    return {
        language: {**words, "source": followed_source(held.get(language), words, held_source, current,
                                                      language in still_fit)}
        for language, words in translated.items()
    }  # fmt: skip


def move_category(
    session: Session, slug: str, direction: CategoryMove, *, actor: str, ip: str | None
) -> list[CategoryView]:
    """Swap a category's place with the one listed before it ("up") or after it ("down"); the first stays first
    and the last last, and then nothing is written. Audit-logged "forum.category.move" with its place in the list
    (1 is the top) before and after; FORUM_CATEGORY_NOT_FOUND for an unknown slug. Every category, in the new
    order."""
    # every category locked (a write to each takes its row lock on PostgreSQL, the write lock on SQLite), then read
    # as the last writer left them: two moves at once must not both swap from the same order
    session.execute(update(ForumCategory).values(position=ForumCategory.position))
    ordered = select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id)
    listed = list(session.scalars(ordered.execution_options(populate_existing=True)))
    place = listed.index(category_by_slug(session, slug))  # one session: the same objects
    other = place - 1 if direction == "up" else place + 1
    if 0 <= other < len(listed):
        listed[place], listed[other] = listed[other], listed[place]
        # numbered afresh: two categories added at once may share a position, which a swap would leave as it was
        for position, category in enumerate(listed, 1):
            category.position = position
        record_action(
            session, actor=actor, action="forum.category.move", target=f"forum_category:{slug}",
            before={"place": place + 1}, after={"place": other + 1}, ip=ip,
        )  # fmt: skip
        session.flush()
    return list_categories(session)


def _report(session: Session, report_id: int) -> ForumReport:
    report = session.get(ForumReport, report_id)
    if report is None:
        raise HdexError(ErrorCode.FORUM_REPORT_NOT_FOUND, f"there is no report {report_id}", "reportId")
    return report


def _report_views(session: Session, query: Select[ForumReport, ForumPost, ForumThread]) -> list[ReportView]:
    rows = session.execute(query).all()
    post_ids = {post.id for _, post, _ in rows}
    open_reports: dict[int, int] = {}
    if post_ids:
        counts = session.execute(
            select(ForumReport.post_id, func.count())
            .where(ForumReport.post_id.in_(post_ids), ForumReport.status == OPEN)
            .group_by(ForumReport.post_id)
        )
        open_reports = {post_id: count for post_id, count in counts}
    return [report_view(report, post, thread, open_reports.get(post.id, 0)) for report, post, thread in rows]
