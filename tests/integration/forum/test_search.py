"""Full-text search on SQLite (FTS5) and PostgreSQL (text search and its GIN index): every word must appear,
words are stemmed, titles count for the first post, operators typed by users are plain words, results page
newest first and never show hidden posts."""

from __future__ import annotations

from sqlalchemy import text

from backend.bootstrap import Container

from .conftest import ClientFor, StaffBrowser, User, reply_to, start_thread


def hits(client_for: ClientFor, query: str, **params: object) -> list[int]:
    response = client_for("anonymous").get("/v1/forum/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return [hit["post"]["id"] for hit in response.json()["results"]]


def test_search_finds_posts_by_every_word_stemmed_and_by_title(alice: User, bob: User, client_for: ClientFor) -> None:
    made = start_thread(alice, "Liquidity on WETH-USDC", "Who is **making** markets here?", "trading")
    thread_id, first = made["thread"]["id"], made["post"]["id"]
    second = reply_to(bob, thread_id, "I make markets with a bot; spreads are tight.")["id"]
    third = reply_to(alice, thread_id, "Withdrawals were slow today.")["id"]

    assert hits(client_for, "markets") == [second, first]
    assert hits(client_for, "market bot") == [second]  # every word; "markets" stems to "market"
    assert hits(client_for, "liquidity") == [first]  # the title is searched with the first post
    assert hits(client_for, "withdrawal") == [third]
    assert hits(client_for, "nothing-like-this") == []
    assert hits(client_for, '"markets" OR -bot NEAR(x) * ^') == []  # operators are words, all required
    result = client_for("anonymous").get("/v1/forum/search", params={"q": "tight"}).json()["results"][0]
    assert (result["threadTitle"], result["category"]) == ("Liquidity on WETH-USDC", "trading")


def test_search_pages_newest_first(alice: User, client_for: ClientFor) -> None:
    thread_id = start_thread(alice, "Staking questions", "staking one")["thread"]["id"]
    ids = [reply_to(alice, thread_id, f"staking {n}")["id"] for n in range(2)]
    page = client_for("anonymous").get("/v1/forum/search", params={"q": "staking", "limit": 2}).json()
    assert [h["post"]["id"] for h in page["results"]] == ids[::-1]
    rest = hits(client_for, "staking", limit=2, cursor=page["nextCursor"])
    assert len(rest) == 1 and rest[0] < ids[0]


def test_hidden_posts_never_appear_in_search(
    alice: User, bob: User, moderator: StaffBrowser, client_for: ClientFor
) -> None:
    thread_id = start_thread(alice, "Airdrop rumours", "is there an airdrop?")["thread"]["id"]
    spam = reply_to(bob, thread_id, "airdrop claim at evil.example")["id"]
    assert len(hits(client_for, "airdrop")) == 2
    moderator.post(f"/v1/staff/forum/posts/{spam}/hide")
    assert spam not in hits(client_for, "airdrop") and len(hits(client_for, "airdrop")) == 1
    assert hits(client_for, "evil") == []


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
