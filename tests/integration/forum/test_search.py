"""Full-text search on SQLite (FTS5) and PostgreSQL (text search and its GIN index): every word must appear,
words are stemmed, titles count for the first post, operators typed by users are plain words, results come best
match first (ties newest first; the newest matches only) or newest first on request, pages neither repeat nor
skip a hit when posts arrive between them, and hidden posts never show."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend.bootstrap import Container
from backend.forum import search

from .conftest import ClientFor, StaffBrowser, User, reply_to, start_thread


def page(client_for: ClientFor, query: str, **params: object) -> tuple[list[int], str | None]:
    """The post ids of one page of a search, and its `next` cursor."""
    response = client_for("anonymous").get("/v1/forum/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    return [hit["post"]["id"] for hit in body["results"]], body["next"]


def hits(client_for: ClientFor, query: str, **params: object) -> list[int]:
    return page(client_for, query, **params)[0]


def every_page(client_for: ClientFor, query: str, cursor: str, limit: int) -> list[int]:
    """The post ids of the pages of a search from `cursor` on, to the last."""
    found: list[int] = []
    while cursor is not None:
        ids, cursor = page(client_for, query, limit=limit, cursor=cursor)
        found += ids
    return found


def test_search_finds_posts_by_every_word_stemmed_and_by_title(alice: User, bob: User, client_for: ClientFor) -> None:
    made = start_thread(alice, "Liquidity on WETH-USDC", "Who is **making** markets here?", "trading")
    thread_id, first = made["thread"]["id"], made["post"]["id"]
    second = reply_to(bob, thread_id, "I make markets with a bot; spreads are tight.")["id"]
    third = reply_to(alice, thread_id, "Withdrawals were slow today.")["id"]

    assert hits(client_for, "markets") == [second, first]
    assert hits(client_for, "market bot") == [second]  # every word; "markets" stems to "market"
    assert hits(client_for, "liquidity") == [first]  # the title is searched with the first post
    assert hits(client_for, "withdrawal") == [third]
    assert hits(client_for, "withdrawal _ __") == [third]  # a lone "_" is no word to either database
    assert hits(client_for, "nothing-like-this") == []
    assert hits(client_for, '"markets" OR -bot NEAR(x) * ^') == []  # operators are words, all required
    result = client_for("anonymous").get("/v1/forum/search", params={"q": "tight"}).json()["results"][0]
    assert (result["threadTitle"], result["category"]) == ("Liquidity on WETH-USDC", "trading")


def test_search_pages_newest_first_on_request(alice: User, client_for: ClientFor) -> None:
    made = start_thread(alice, "Staking questions", "staking staking staking")  # the best match, and the oldest
    thread_id, first = made["thread"]["id"], made["post"]["id"]
    ids = [reply_to(alice, thread_id, f"staking {n}")["id"] for n in range(2)]
    newest, cursor = page(client_for, "staking", sort="newest", limit=2)
    assert (newest, cursor) == (ids[::-1], str(ids[0]))
    assert hits(client_for, "staking", sort="newest", limit=2, cursor=cursor) == [first]
    assert hits(client_for, "staking")[0] == first  # by relevance


def test_search_ranks_more_matches_and_title_matches_above_newer_posts_that_mention_the_words_once(
    alice: User, bob: User, client_for: ClientFor
) -> None:
    many = start_thread(alice, "Validator rewards", "Staking pays: staking locks tokens, staking is slow.")
    titled = start_thread(alice, "Staking on HDEX?", "Does anyone do staking here?")  # title and body
    once_old = reply_to(bob, many["thread"]["id"], "I tried staking.")["id"]
    once_new = reply_to(bob, titled["thread"]["id"], "staking is fine")["id"]
    many_id, titled_id = many["post"]["id"], titled["post"]["id"]

    assert hits(client_for, "staking") == [many_id, titled_id, once_new, once_old]  # equal matches: newest first
    assert hits(client_for, "staking", sort="relevance") == [many_id, titled_id, once_new, once_old]
    assert hits(client_for, "staking", sort="newest") == [once_new, once_old, titled_id, many_id]
    assert hits(client_for, "staking slow") == [many_id]  # every word still required


def test_relevance_pages_never_repeat_or_skip_a_hit_when_new_posts_arrive_between_them(
    alice: User, bob: User, carol: User, client_for: ClientFor
) -> None:
    thread_id = start_thread(alice, "Yield farming", "yield")["post"]["threadId"]  # title and body: 2 matches
    for user, times in ((alice, 3), (alice, 1), (alice, 2), (bob, 1), (bob, 3), (bob, 2)):
        reply_to(user, thread_id, " ".join(["yield"] * times))
    before = hits(client_for, "yield", limit=100)
    first, cursor = page(client_for, "yield", limit=3)  # the 3-match posts, then the newest 2-match post
    assert first == before[:3] and cursor is not None

    above = [reply_to(carol, thread_id, text)["id"] for text in ("yield " * 4, "yield yield")]  # rank above
    below = reply_to(carol, thread_id, "yield")["id"]  # ranks below the cursor: first of the 1-match posts
    rest = every_page(client_for, "yield", cursor, limit=3)

    now = hits(client_for, "yield", limit=100)
    assert now[0] == above[0] and now.index(above[1]) == now.index(first[-1]) - 1  # equal matches: newest first
    assert first + rest == [post for post in now if post not in above]  # in order, each once
    assert sorted(first + rest) == sorted([*before, below])  # nothing skipped, the new one below the cursor too
    assert rest.index(below) == rest.index(before[-2]) - 1  # first of the posts with one match


def test_relevance_scores_only_the_newest_matches_and_newest_first_finds_every_one(
    alice: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A score reads the whole post: a common word must not make one search score every post of the forum."""
    monkeypatch.setattr(search, "RANKED_MATCHES", 2)
    made = start_thread(alice, "Bridges", "bridge bridge bridge")  # the best match, and the oldest
    thread_id, oldest = made["thread"]["id"], made["post"]["id"]
    newer = [reply_to(alice, thread_id, f"a bridge, {n}")["id"] for n in range(2)]
    assert hits(client_for, "bridge") == newer[::-1]
    assert hits(client_for, "bridge", sort="newest") == [*newer[::-1], oldest]


def test_a_cursor_of_the_other_order_or_malformed_is_refused(alice: User, client_for: ClientFor) -> None:
    thread_id = start_thread(alice, "Gas costs", "gas gas")["thread"]["id"]
    reply_to(alice, thread_id, "gas")
    reader = client_for("anonymous")
    _, by_relevance = page(client_for, "gas", limit=1)
    _, by_newest = page(client_for, "gas", limit=1, sort="newest")
    assert by_relevance is not None and "-" in by_relevance and by_newest is not None and "-" not in by_newest
    refused = [
        ({"cursor": by_newest}, "cursor"), ({"cursor": by_relevance, "sort": "newest"}, "cursor"),
        ({"cursor": "1-2-3"}, "cursor"), ({"cursor": "x"}, "cursor"), ({"cursor": "1-2147483648"}, "cursor"),
        ({"sort": "oldest"}, "sort"),
    ]  # fmt: skip
    for params, field in refused:
        response = reader.get("/v1/forum/search", params={"q": "gas", **params})
        assert (response.status_code, response.json()["error"]["field"]) == (422, field), params
    everything = hits(client_for, "gas")
    assert len(everything) == 2 and hits(client_for, "gas", cursor="999999999999-2147483647") == everything
    assert hits(client_for, "gas", sort="newest", cursor="2147483647") == everything[::-1]


def test_hidden_posts_never_appear_in_search(
    alice: User, bob: User, moderator: StaffBrowser, client_for: ClientFor
) -> None:
    thread_id = start_thread(alice, "Airdrop rumours", "is there an airdrop?")["thread"]["id"]
    spam = reply_to(bob, thread_id, "airdrop claim at evil.example")["id"]
    assert len(hits(client_for, "airdrop")) == 2
    moderator.post(f"/v1/staff/forum/posts/{spam}/hide")
    for sort in ("relevance", "newest"):
        assert spam not in hits(client_for, "airdrop", sort=sort) and len(hits(client_for, "airdrop", sort=sort)) == 1
        assert hits(client_for, "evil", sort=sort) == []


def test_a_query_without_words_is_refused(client_for: ClientFor) -> None:
    reader = client_for("anonymous")
    for query in ("", "  ", "*** ---", "x" * 201):
        response = reader.get("/v1/forum/search", params={"q": query})
        assert (response.status_code, response.json()["error"]["field"]) == (422, "q"), query


def test_the_search_index_is_the_databases_own(container: Container) -> None:
    """SQLite holds an FTS5 table kept by triggers; PostgreSQL a GIN index over to_tsvector."""
    with container.db_engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'forum_posts_fts'")).scalar()
            assert sql is not None and "fts5" in sql
        else:
            definition = connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_forum_posts_search'")
            ).scalar()
            assert definition is not None and "gin" in definition and "to_tsvector" in definition
