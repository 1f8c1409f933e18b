"""What the forum's doors show: frozen views of its rows, built inside the unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from backend.accounts.languages import DEFAULT_LANGUAGE, source_digest, written_for_other_english
from backend.db.models import ForumBan, ForumCategory, ForumPost, ForumReport, ForumThread


@dataclass(frozen=True, slots=True)
class CategoryView:
    id: int
    slug: str
    name: str
    description: str
    position: int
    thread_count: int  # threads users see
    translations: Mapping[str, Mapping[str, str]]  # language -> {"name", "description"}
    # languages whose translation was written for an English name and description since changed: staff see it so;
    # readers still get it (a name a little behind the English still names the place; English would not)
    outdated: frozenset[str] = frozenset()
    language: str = DEFAULT_LANGUAGE  # that of name and description

    def in_language(self, language: str) -> CategoryView:
        """The category as a reader in `language` sees it: named in it where translated, else as it is."""
        text = self.translations.get(language)
        if text is None:
            return self
        return replace(self, name=text["name"], description=text["description"], language=language)


@dataclass(frozen=True, slots=True)
class ThreadView:
    id: int
    category_id: int
    category_slug: str
    title: str  # plain text: shown as text, never as HTML
    author: str
    pinned: bool
    locked: bool
    hidden: bool
    reply_count: int  # posts users see, other than the thread's first
    created_at_ms: int
    last_post_at_ms: int


@dataclass(frozen=True, slots=True)
class PostView:
    id: int
    thread_id: int
    author: str
    body_source: str
    body_html: str  # sanitized by backend.markup.render
    hidden: bool
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class SearchHit:
    post: PostView
    thread_title: str
    category_slug: str
    rank: int  # its relevance score for the search (0 when ordered by newest): half of its page key


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    post: PostView
    thread_id: int
    thread_title: str
    reporter: str
    reason: str
    status: str
    reports_of_post: int  # open reports of the same post
    created_at_ms: int
    resolved_by: str | None
    resolved_at_ms: int | None


@dataclass(frozen=True, slots=True)
class BanView:
    wallet: str
    reason: str
    banned_by: str
    banned_at_ms: int


def category_view(category: ForumCategory, thread_count: int) -> CategoryView:
    english = source_digest(category.name, category.description)
    held = category.translations
    outdated = frozenset(language for language, t in held.items() if written_for_other_english(t, english))
    return CategoryView(
        category.id, category.slug, category.name, category.description, category.position, thread_count,
        category_words(held), outdated,
    )  # fmt: skip


def category_words(translations: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """A category's stored translations as words alone (without the English each follows): what doors show and
    the audit log keeps."""
    return {language: {"name": t["name"], "description": t["description"]} for language, t in translations.items()}


def thread_view(thread: ForumThread, category_slug: str, reply_count: int) -> ThreadView:
    return ThreadView(
        thread.id, thread.category_id, category_slug, thread.title, thread.author, thread.pinned, thread.locked,
        thread.hidden, reply_count, thread.created_at_ms, thread.last_post_at_ms,
    )  # fmt: skip


def post_view(post: ForumPost) -> PostView:
    return PostView(
        post.id, post.thread_id, post.author, post.body_source, post.body_html, post.hidden, post.created_at_ms
    )


def report_view(report: ForumReport, post: ForumPost, thread: ForumThread, open_reports: int) -> ReportView:
    return ReportView(
        report.id, post_view(post), thread.id, thread.title, report.reporter, report.reason, report.status,
        open_reports, report.created_at_ms, report.resolved_by, report.resolved_at_ms,
    )  # fmt: skip


def ban_view(ban: ForumBan) -> BanView:
    return BanView(ban.wallet, ban.reason, ban.banned_by, ban.banned_at_ms)
