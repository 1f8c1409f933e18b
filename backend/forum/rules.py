"""The forum's pure rules: what a title, a message, a reason and a category (slug, names) may be, the posting limits,
the words a search looks for, and the keys thread lists and searches page by. No I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from backend.accounts.languages import check_translated
from backend.db.types import MAX_ROW_ID
from backend.errors import ErrorCode, HdexError, retry_after_s

MAX_TITLE_CHARS = 200
MIN_TITLE_CHARS = 3
MAX_BODY_CHARS = 20_000
MAX_REASON_CHARS = 500
MAX_CATEGORY_NAME_CHARS = 80
MAX_CATEGORY_DESCRIPTION_CHARS = 300
MAX_SEARCH_TERMS = 8
MAX_QUERY_CHARS = 200
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: the search tokenizers split words at "_" too
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_title(title: str) -> str:
    """A thread title trimmed, on one line, 3-200 characters (INVALID_FIELD "title" otherwise)."""
    cleaned = " ".join(_CONTROL.sub("", title).split())
    if not MIN_TITLE_CHARS <= len(cleaned) <= MAX_TITLE_CHARS:
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"a title is {MIN_TITLE_CHARS} to {MAX_TITLE_CHARS} characters", "title"
        )
    return cleaned


def clean_body(body: str) -> str:
    """A message's Markdown without control characters, not blank, at most 20 000 characters."""
    cleaned = _CONTROL.sub("", body).strip()
    if not cleaned or len(cleaned) > MAX_BODY_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a message is 1 to {MAX_BODY_CHARS} characters", "message")
    return cleaned


def clean_reason(reason: str, field: str = "reason") -> str:
    """A report's or a ban's reason: trimmed, 1-500 characters."""
    cleaned = " ".join(_CONTROL.sub("", reason).split())
    if not cleaned or len(cleaned) > MAX_REASON_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a reason is 1 to {MAX_REASON_CHARS} characters", field)
    return cleaned


def clean_slug(slug: str) -> str:
    """A category's address part: lower-case letters, digits and inner hyphens, 1-40 characters."""
    if not SLUG.fullmatch(slug):
        raise HdexError(
            ErrorCode.INVALID_FIELD, "a slug is 1 to 40 lower-case letters, digits and inner hyphens", "slug"
        )
    return slug


def clean_category_text(name: str, description: str, where: str = "") -> tuple[str, str]:
    """A category's name (1-80 characters) and description (at most 300), trimmed; an error names the field
    after `where` ("translations.zh-CN." for a translation)."""
    name, description = " ".join(name.split()), " ".join(description.split())
    if not name or len(name) > MAX_CATEGORY_NAME_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a name is 1 to {MAX_CATEGORY_NAME_CHARS} characters", where + "name")
    if len(description) > MAX_CATEGORY_DESCRIPTION_CHARS:
        raise HdexError(
            ErrorCode.INVALID_FIELD, f"a description is at most {MAX_CATEGORY_DESCRIPTION_CHARS} characters",
            where + "description",
        )  # fmt: skip
    return name, description


def clean_category_translations(translations: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """A category's (name, description) by language, each cleaned as the English ones, as stored; INVALID_FIELD
    for a language it cannot be translated into."""
    cleaned = {}
    for language, (name, description) in sorted(translations.items()):
        check_translated(language, "categories", "translations")
        name, description = clean_category_text(name, description, f"translations.{language}.")
        cleaned[language] = {"name": name, "description": description}
    return cleaned


@dataclass(frozen=True, slots=True)
class PostingLimits:
    """How many posts (threads and replies) one wallet may write per minute and per hour."""

    per_minute: int
    per_hour: int


def posting_wait_s(recent_ms: Sequence[int], limits: PostingLimits, now_ms: int) -> int | None:
    """Seconds until the wallet may post again, given the times of its posts in the last hour (any order);
    None if it may post now."""
    waits = []
    for limit, window_ms in ((limits.per_minute, MINUTE_MS), (limits.per_hour, HOUR_MS)):
        inside = sorted((t for t in recent_ms if t > now_ms - window_ms), reverse=True)
        if len(inside) >= limit:
            # the post that must leave the window for one more to fit
            frees_at = inside[limit - 1] + window_ms
            waits.append(retry_after_s(frees_at, now_ms))
    return max(waits) if waits else None


def refuse_if_limited(recent_ms: Sequence[int], limits: PostingLimits, now_ms: int) -> None:
    """FORUM_POSTING_LIMITED (429 with Retry-After) when the wallet has used its posting allowance."""
    wait_s = posting_wait_s(recent_ms, limits, now_ms)
    if wait_s is not None:
        raise _limited(
            f"you post too fast: at most {limits.per_minute} posts a minute and {limits.per_hour} an hour", wait_s
        )


def refuse_report_if_limited(recent_ms: Sequence[int], per_hour: int, now_ms: int) -> None:
    """FORUM_POSTING_LIMITED (429 with Retry-After) when the wallet has made `per_hour` reports in the last hour,
    given their times."""
    # a minute never holds more reports than its hour: the hour's limit alone decides
    wait_s = posting_wait_s(recent_ms, PostingLimits(per_minute=per_hour, per_hour=per_hour), now_ms)
    if wait_s is not None:
        raise _limited(f"you report too often: at most {per_hour} reports an hour", wait_s)


def _limited(why: str, wait_s: int) -> HdexError:
    return HdexError(
        ErrorCode.FORUM_POSTING_LIMITED, f"{why}; try again in {wait_s} s", None, {"Retry-After": str(wait_s)}
    )


def search_terms(query: str) -> list[str]:
    """The words a search looks for (all of them must appear): letters and digits of the query, lower case,
    at most 8; operators and quotes are not syntax. INVALID_FIELD "q" if none is left."""
    if len(query) > MAX_QUERY_CHARS:
        raise HdexError(ErrorCode.INVALID_FIELD, f"a search is at most {MAX_QUERY_CHARS} characters", "q")
    terms = list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:MAX_SEARCH_TERMS]
    if not terms:
        raise HdexError(ErrorCode.INVALID_FIELD, "search for at least one word", "q")
    return terms


def fts5_query(terms: Sequence[str]) -> str:
    """An SQLite FTS5 MATCH expression requiring every term: each a quoted string, so nothing in it is
    syntax."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


@dataclass(frozen=True, slots=True)
class ThreadKey:
    """Where a thread sits in a category's list: pinned first, then newest activity, then newest id."""

    pinned: bool
    last_post_at_ms: int
    id: int

    def cursor(self) -> str:
        return f"{int(self.pinned)}-{self.last_post_at_ms}-{self.id}"


THREAD_CURSOR = r"^[01]-[0-9]{1,15}-[0-9]{1,10}$"


def parse_thread_cursor(cursor: str | None) -> ThreadKey | None:
    """The key a thread page starts after (None: the first page); INVALID_FIELD "cursor" if malformed."""
    if cursor is None:
        return None
    if not re.fullmatch(THREAD_CURSOR, cursor) or int(cursor.rpartition("-")[2]) > MAX_ROW_ID:
        raise HdexError(ErrorCode.INVALID_FIELD, "cursor is `next` of the previous page", "cursor")
    pinned, at_ms, thread_id = cursor.split("-")
    return ThreadKey(pinned == "1", int(at_ms), int(thread_id))


BAN_CURSOR = r"^[0-9]{1,15}-0x[0-9a-fA-F]{40}$"


def parse_ban_cursor(cursor: str | None) -> tuple[int, str] | None:
    """Where a page of bans starts after: the last ban's (banned_at_ms, wallet), newest first; None: the first page.
    INVALID_FIELD "cursor" if malformed."""
    if cursor is None:
        return None
    if not re.fullmatch(BAN_CURSOR, cursor):
        raise HdexError(ErrorCode.INVALID_FIELD, "cursor is `next` of the previous page", "cursor")
    at_ms, _, wallet = cursor.partition("-")
    return int(at_ms), wallet


def ban_cursor(banned_at_ms: int, wallet: str) -> str:
    return f"{banned_at_ms}-{wallet}"


class SearchOrder(StrEnum):
    """How search results are ordered: best match first (ties newest first), or newest first."""

    RELEVANCE = "relevance"
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class SearchKey:
    """Where a hit sits in a search's pages: its relevance score (an integer, higher first; 0 when ordered by
    newest), then its post id (newest first)."""

    rank: int
    id: int

    def cursor(self, order: SearchOrder) -> str:
        return f"{self.rank}-{self.id}" if order is SearchOrder.RELEVANCE else str(self.id)


SEARCH_CURSOR = r"^(?:[0-9]{1,12}-)?[0-9]{1,10}$"


def parse_search_cursor(cursor: str | None, order: SearchOrder) -> SearchKey | None:
    """The key a search page starts after (None: the first page): "<rank>-<id>" by relevance, "<id>" by newest;
    INVALID_FIELD "cursor" if malformed, of the other order or past the largest post id."""
    if cursor is None:
        return None
    rank, dash, post_id = cursor.rpartition("-")
    if (
        not re.fullmatch(SEARCH_CURSOR, cursor)
        or bool(dash) != (order is SearchOrder.RELEVANCE)
        or int(post_id) > MAX_ROW_ID
    ):
        raise HdexError(ErrorCode.INVALID_FIELD, "cursor is `next` of the previous page of the same search", "cursor")
    return SearchKey(int(rank or 0), int(post_id))
