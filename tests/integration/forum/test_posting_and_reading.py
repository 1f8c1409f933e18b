"""Users post and read: the seeded categories, a thread and its replies, threads newest activity first and
posts oldest first in pages, sign-in needed to write, bad input refused with nothing changed, and script or
HTML typed into any text field stored as text and rendered inert."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from backend.bootstrap import Container

from .conftest import ClientFor, StaffBrowser, User, forum_rows, reply_to, start_thread


class Tags(HTMLParser):
    """Every element of an HTML fragment with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def test_the_migration_seeds_general_trading_and_feedback(client_for: ClientFor) -> None:
    response = client_for("reader").get("/v1/forum/categories")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["categories"]] == ["general", "trading", "feedback"]
    assert [c["name"] for c in response.json()["categories"]] == ["General", "Trading", "Feedback"]
    assert {c["language"] for c in response.json()["categories"]} == {"en"}
    chinese = client_for("reader").get("/v1/forum/categories", params={"lang": "zh-CN"}).json()["categories"]
    assert [(c["slug"], c["name"], c["language"]) for c in chinese] == [
        ("general", "综合", "zh-CN"), ("trading", "交易", "zh-CN"), ("feedback", "反馈", "zh-CN"),
    ]  # fmt: skip
    assert chinese[1]["description"] == "市场、订单、策略与机器人"


def test_a_thread_and_its_replies_are_readable_by_anyone_signed_in_or_not(
    alice: User, bob: User, client_for: ClientFor
) -> None:
    made = start_thread(alice, "Fees on WETH-USDC", "What are the **maker** fees?", "trading")
    thread_id = made["thread"]["id"]
    assert made["thread"]["author"] == alice.address
    assert made["post"]["messageHtml"] == "<p>What are the <strong>maker</strong> fees?</p>\n"
    reply_to(bob, thread_id, "Zero for makers, see the docs.")

    reader = client_for("anonymous")
    thread = reader.get(f"/v1/forum/threads/{thread_id}").json()
    assert (thread["title"], thread["category"], thread["replyCount"], thread["locked"]) == (
        "Fees on WETH-USDC", "trading", 1, False,
    )  # fmt: skip
    posts = reader.get(f"/v1/forum/threads/{thread_id}/posts").json()["posts"]
    assert [(p["author"], p["message"]) for p in posts] == [
        (alice.address, "What are the **maker** fees?"), (bob.address, "Zero for makers, see the docs."),
    ]  # fmt: skip
    listed = reader.get("/v1/forum/threads", params={"category": "trading"}).json()["threads"]
    assert [t["id"] for t in listed] == [thread_id]
    assert reader.get("/v1/forum/threads", params={"category": "general"}).json()["threads"] == []
    categories = {c["slug"]: c["threadCount"] for c in reader.get("/v1/forum/categories").json()["categories"]}
    assert categories == {"general": 0, "trading": 1, "feedback": 0}


def test_threads_page_newest_activity_first_and_posts_oldest_first(
    alice: User, bob: User, client_for: ClientFor
) -> None:
    first = start_thread(alice, "Thread one")["thread"]["id"]
    second = start_thread(alice, "Thread two")["thread"]["id"]
    third = start_thread(bob, "Thread three")["thread"]["id"]
    replies = [reply_to(bob, first, f"reply {n}")["id"] for n in range(3)]  # thread one is now the most active

    reader = client_for("anonymous")
    page = reader.get("/v1/forum/threads", params={"limit": 2}).json()
    assert [t["id"] for t in page["threads"]] == [first, third]
    assert page["next"] is not None
    rest = reader.get("/v1/forum/threads", params={"limit": 2, "cursor": page["next"]}).json()
    assert [t["id"] for t in rest["threads"]] == [second]
    assert rest["next"] is None

    posts = reader.get(f"/v1/forum/threads/{first}/posts", params={"limit": 3}).json()
    assert [p["message"] for p in posts["posts"]] == ["First **post**", "reply 0", "reply 1"]
    more = reader.get(f"/v1/forum/threads/{first}/posts", params={"limit": 3, "cursor": posts["next"]}).json()
    assert [p["id"] for p in more["posts"]] == replies[2:]
    assert more["next"] is None


def test_a_pinned_thread_heads_the_list_and_pages_on_past_it(
    alice: User, moderator: StaffBrowser, client_for: ClientFor
) -> None:
    old = start_thread(alice, "Old rules")["thread"]["id"]
    newer = [start_thread(alice, f"News {n}")["thread"]["id"] for n in range(2)]
    assert moderator.post(f"/v1/staff/forum/threads/{old}/pin").json()["pinned"] is True
    reader = client_for("anonymous")
    page = reader.get("/v1/forum/threads", params={"limit": 2}).json()
    assert [t["id"] for t in page["threads"]] == [old, newer[1]]
    rest = reader.get("/v1/forum/threads", params={"limit": 2, "cursor": page["next"]}).json()
    assert [t["id"] for t in rest["threads"]] == [newer[0]]


def test_writing_needs_a_signed_in_wallet(alice: User, client_for: ClientFor, container: Container) -> None:
    thread_id = start_thread(alice)["thread"]["id"]
    stranger = client_for("stranger")
    before = forum_rows(container)
    for path, body in (
        ("/v1/forum/threads", {"category": "general", "title": "Anonymous", "message": "hi"}),
        (f"/v1/forum/threads/{thread_id}/posts", {"message": "hi"}),
        (f"/v1/forum/posts/{thread_id}/report", {"reason": "spam"}),
    ):
        response = stranger.post(path, json=body)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "NOT_SIGNED_IN"
    assert forum_rows(container) == before


def test_the_longest_message_fits_a_request_in_any_script_and_one_character_more_is_a_typed_422(
    alice: User, container: Container
) -> None:
    """20,000 characters of emoji, JSON-escaped as most clients send them (12 bytes each): the documented 422
    past the limit, not a 413 well before it."""
    thread_id = start_thread(alice)["thread"]["id"]
    path, headers = f"/v1/forum/threads/{thread_id}/posts", {"Content-Type": "application/json"}
    longest = json.dumps({"message": "\N{GRINNING FACE}" * 20_000})  # ensure_ascii: "\\ud83d\\ude00" each
    assert len(longest) > 240_000
    assert alice.client.post(path, content=longest, headers=headers).status_code == 201
    before = forum_rows(container)
    past = alice.client.post(path, content=json.dumps({"message": "\N{GRINNING FACE}" * 20_001}), headers=headers)
    assert (past.status_code, past.json()["error"]["code"], past.json()["error"]["field"]) == (
        422, "INVALID_FIELD", "message",
    )  # fmt: skip
    assert forum_rows(container) == before


def test_bad_input_is_refused_with_a_typed_error_and_nothing_changes(alice: User, container: Container) -> None:
    thread_id = start_thread(alice)["thread"]["id"]
    before = forum_rows(container)
    threads, generic = "/v1/forum/threads", "INVALID_FIELD"
    cases: list[tuple[str, object, int, str, str | None]] = [
        (threads, {"category": "general", "title": "  ", "message": "x"}, 422, generic, "title"),
        (threads, {"category": "general", "title": "ab", "message": "x"}, 422, generic, "title"),
        (threads, {"category": "general", "title": "Fine title", "message": " \n "}, 422, generic, "message"),
        (threads, {"category": "general", "title": "Fine", "message": "x" * 20_001}, 422, generic, "message"),
        (threads, {"category": "nowhere", "title": "Fine", "message": "x"},
         404, "FORUM_CATEGORY_NOT_FOUND", "category"),
        (threads, {"category": "general", "title": "Fine", "message": "x", "pinned": True}, 422, generic, "pinned"),
        ("/v1/forum/threads", [1, 2], 422, generic, None),
        (f"/v1/forum/threads/{thread_id}/posts", {"message": ""}, 422, generic, "message"),
        (f"/v1/forum/threads/{thread_id}/posts", {"message": 5}, 422, generic, "message"),
        ("/v1/forum/threads/999999/posts", {"message": "hello"}, 404, "FORUM_THREAD_NOT_FOUND", "threadId"),
        ("/v1/forum/threads/0/posts", {"message": "hello"}, 422, generic, "threadId"),
        ("/v1/forum/posts/999999/report", {"reason": "spam"}, 404, "FORUM_POST_NOT_FOUND", "postId"),
        ("/v1/forum/posts/1/report", {"reason": ""}, 422, generic, "reason"),
        # a link used by reference thousands of times: 20 kB that would show as 12 MB of HTML
        (f"/v1/forum/threads/{thread_id}/posts", {"message": f"[a]: http://e.x/{'a' * 5_000}\n\n" + "[a]" * 5_000},
         422, generic, "message"),
    ]  # fmt: skip
    for path, body, status, code, field in cases:
        response = alice.client.post(path, json=body)
        assert response.status_code == status, (path, body, response.text)
        assert response.json()["error"]["code"] == code, (path, body)
        if field is not None:
            assert response.json()["error"]["field"] == field, (path, response.text[:300])
    broken = alice.client.post("/v1/forum/threads", content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.json()["error"]["code"] == "MALFORMED_JSON"
    for params in ({"cursor": "nope"}, {"limit": 0}, {"limit": 101}, {"category": "<b>"}):
        assert alice.client.get("/v1/forum/threads", params=params).status_code == 422, params
    assert forum_rows(container) == before


def test_script_and_html_in_every_text_field_are_inert(
    alice: User, bob: User, moderator: StaffBrowser, client_for: ClientFor
) -> None:
    body = f"{EVIL}\n\n[click](javascript:alert(1)) <a href='javascript:alert(2)'>x</a>"
    made = start_thread(alice, f"Title {EVIL}", body)
    thread_id, post_id = made["thread"]["id"], made["post"]["id"]
    reply_html = reply_to(bob, thread_id, EVIL)["messageHtml"]
    assert bob.client.post(f"/v1/forum/posts/{post_id}/report", json={"reason": EVIL}).status_code == 201

    reader = client_for("anonymous")
    assert reader.get(f"/v1/forum/threads/{thread_id}").json()["title"] == f"Title {EVIL}"  # text, for text nodes
    posts = reader.get(f"/v1/forum/threads/{thread_id}/posts").json()["posts"]
    for html in [p["messageHtml"] for p in posts] + [reply_html]:
        tags = Tags()
        tags.feed(html)
        assert {tag for tag, _ in tags.seen} <= {"p", "a"}, html  # no script, no img
        for _tag, attrs in tags.seen:
            assert all(not name.startswith("on") for name, _ in attrs), html
            assert all(not (value or "").lower().startswith("javascript") for _, value in attrs), html
        assert "&lt;script&gt;" in html  # what was typed is shown as text
    queued = moderator.client.get("/v1/staff/forum/reports").json()["reports"]
    assert [r["reason"] for r in queued] == [EVIL]  # text: the back office shows it as text
    assert "<script" not in queued[0]["post"]["messageHtml"]


def test_reading_a_missing_thread_is_a_typed_404(client_for: ClientFor) -> None:
    reader: TestClient = client_for("anonymous")
    assert reader.get("/v1/forum/threads/424242").json()["error"]["code"] == "FORUM_THREAD_NOT_FOUND"
    assert reader.get("/v1/forum/threads/424242/posts").json()["error"]["code"] == "FORUM_THREAD_NOT_FOUND"
    assert reader.get("/v1/forum/threads", params={"category": "nowhere"}).status_code == 404
