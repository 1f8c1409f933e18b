"""The forum's pure rules: posting and reporting limits and when to retry, search words and the FTS5 expression, thread
cursors, and what a title, message, reason and slug may be."""

from __future__ import annotations

import pytest

from backend.errors import ErrorCode, HdexError
from backend.forum.rules import (
    PostingLimits,
    ThreadKey,
    clean_body,
    clean_reason,
    clean_slug,
    clean_title,
    fts5_query,
    parse_thread_cursor,
    posting_wait_s,
    refuse_if_limited,
    refuse_report_if_limited,
    search_terms,
)

LIMITS = PostingLimits(per_minute=3, per_hour=5)
NOW = 10_000_000


def test_a_wallet_under_both_limits_may_post() -> None:
    assert posting_wait_s([NOW - 1_000, NOW - 2_000], LIMITS, NOW) is None
    assert posting_wait_s([NOW - 61_000] * 4, LIMITS, NOW) is None  # older than a minute: hour limit only


def test_the_per_minute_limit_waits_until_the_oldest_post_of_the_minute_leaves_it() -> None:
    recent = [NOW - 50_000, NOW - 10_000, NOW - 1_000]
    assert posting_wait_s(recent, LIMITS, NOW) == 10


def test_the_per_hour_limit_waits_until_the_oldest_post_of_the_hour_leaves_it() -> None:
    recent = [NOW - 3_000_000, NOW - 2_000_000, NOW - 1_000_000, NOW - 500_000, NOW - 100_000]
    assert posting_wait_s(recent, LIMITS, NOW) == 600


def test_a_refusal_is_typed_and_says_when_to_retry() -> None:
    with pytest.raises(HdexError) as refused:
        refuse_if_limited([NOW - 1] * 3, LIMITS, NOW)
    assert refused.value.code is ErrorCode.FORUM_POSTING_LIMITED
    assert refused.value.headers == {"Retry-After": "60"}
    assert refused.value.message == "you post too fast: at most 3 posts a minute and 5 an hour; try again in 60 s"


def test_a_refused_report_names_reports_and_their_hourly_limit() -> None:
    refuse_report_if_limited([NOW - 1_000], 2, NOW)  # one report of two: allowed
    with pytest.raises(HdexError) as refused:
        refuse_report_if_limited([NOW - 1_000_000, NOW - 1_000], 2, NOW)
    assert refused.value.code is ErrorCode.FORUM_POSTING_LIMITED
    assert refused.value.message == "you report too often: at most 2 reports an hour; try again in 2600 s"
    assert refused.value.headers == {"Retry-After": "2600"}


def test_search_words_are_lower_case_unique_and_operators_are_not_syntax() -> None:
    assert search_terms('Markets "OR" -bot NEAR(x) markets') == ["markets", "or", "bot", "near", "x"]
    assert search_terms("snake_case _ __") == ["snake", "case"]  # split at "_", as both databases' tokenizers do
    assert fts5_query(["or", "near"]) == '"or" AND "near"'
    assert len(search_terms(" ".join(f"w{n}" for n in range(20)))) == 8
    for query in ("", "*** ---", "x" * 201):
        with pytest.raises(HdexError) as refused:
            search_terms(query)
        assert refused.value.field == "q"


def test_a_thread_cursor_round_trips_and_a_bad_one_is_refused() -> None:
    key = ThreadKey(True, 1_700_000_000_000, 42)
    assert parse_thread_cursor(key.cursor()) == key
    assert parse_thread_cursor(None) is None
    for bad in ("2-1-1", "1-x-1", "1-1", "1-1-1-1"):
        with pytest.raises(HdexError):
            parse_thread_cursor(bad)


def test_titles_messages_reasons_and_slugs_are_cleaned_or_refused() -> None:
    assert clean_title("  Hello \n\t world \x00 ") == "Hello world"
    assert clean_body("  **hi**\x07\n") == "**hi**"
    assert clean_reason(" spam\n spam ") == "spam spam"
    assert clean_slug("bots-and-apis") == "bots-and-apis"
    for call, field in (
        (lambda: clean_title("ab"), "title"),
        (lambda: clean_title("x" * 201), "title"),
        (lambda: clean_body(" \x00 "), "message"),
        (lambda: clean_reason(""), "reason"),
        (lambda: clean_slug("-bad"), "slug"),
        (lambda: clean_slug("Bad"), "slug"),
    ):
        with pytest.raises(HdexError) as refused:
            call()
        assert refused.value.field == field
