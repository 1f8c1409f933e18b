"""A thread's reply count is the replies users see: a hidden first post is not a reply, and hiding it must not take
one off the replies that are still shown (a thread with one visible reply said "0 replies")."""

from __future__ import annotations

from .conftest import ClientFor, StaffBrowser, User, reply_to, start_thread


def test_hiding_the_first_post_leaves_the_count_of_the_replies_users_still_see(
    alice: User, bob: User, moderator: StaffBrowser, client_for: ClientFor
) -> None:
    started = start_thread(alice, "Fees for market makers", "A first post a moderator will hide")
    thread_id, first = started["thread"]["id"], started["post"]["id"]
    reply_to(bob, thread_id, "A reply that stays")
    reader = client_for("anonymous")
    assert reader.get(f"/v1/forum/threads/{thread_id}").json()["replyCount"] == 1

    assert moderator.post(f"/v1/staff/forum/posts/{first}/hide").status_code == 200

    assert [p["author"] for p in reader.get(f"/v1/forum/threads/{thread_id}/posts").json()["posts"]] == [bob.address]
    assert reader.get(f"/v1/forum/threads/{thread_id}").json()["replyCount"] == 1
    listed = reader.get("/v1/forum/threads", params={"category": "general"}).json()["threads"]
    assert [(t["id"], t["replyCount"]) for t in listed if t["id"] == thread_id] == [(thread_id, 1)]
    staff_listed = moderator.client.get("/v1/staff/forum/threads").json()["threads"]
    assert [t["replyCount"] for t in staff_listed if t["id"] == thread_id] == [1]
