"""Per-wallet posting limits refuse a flood with 429 FORUM_POSTING_LIMITED and Retry-After, store nothing of
it, and count each wallet apart; reports have a limit of their own."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from backend.bootstrap import Container
from backend.db.models import ForumPost, ForumReport
from backend.forum import moderation, threads
from backend.forum.rules import PostingLimits

from ..staff.conftest import Inbox, build_container, outcome_behind_locks
from .conftest import PER_MINUTE, User, forum_rows, reply_to, start_thread


def test_a_flood_of_posts_is_refused_past_the_per_minute_limit(alice: User, bob: User, container: Container) -> None:
    thread_id = start_thread(alice)["thread"]["id"]
    for n in range(PER_MINUTE - 1):
        reply_to(alice, thread_id, f"post {n}")
    before = forum_rows(container)
    for _ in range(3):
        refused = alice.client.post(f"/v1/forum/threads/{thread_id}/posts", json={"message": "flood"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "FORUM_POSTING_LIMITED"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    new_thread = alice.client.post("/v1/forum/threads", json={"category": "general", "title": "More", "message": "x"})
    assert new_thread.status_code == 429
    assert forum_rows(container) == before
    reply_to(bob, thread_id, "another wallet still posts")  # limits are per wallet


def test_reports_past_the_hourly_limit_are_refused(alice: User, bob: User, container: Container) -> None:
    first = start_thread(bob)
    thread_id, first_post = first["thread"]["id"], first["post"]["id"]
    posts = [start_thread(bob, f"Thread {n}")["post"]["id"] for n in range(2)] + [
        reply_to(bob, thread_id, "one more")["id"]
    ]
    for post_id in posts:  # the fixture allows 3 reports an hour
        assert alice.client.post(f"/v1/forum/posts/{post_id}/report", json={"reason": "spam"}).status_code == 201
    before = forum_rows(container)
    refused = alice.client.post(f"/v1/forum/posts/{first_post}/report", json={"reason": "spam"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "FORUM_POSTING_LIMITED")
    assert refused.json()["error"]["message"].startswith("you report too often: at most 3 reports an hour; try again")
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert forum_rows(container) == before


def test_two_posts_of_one_wallet_at_once_never_both_pass_the_limit(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """PostgreSQL, READ COMMITTED: a count of the wallet's posts taken without a lock lets two replies at once
    (each seeing one post short of the limit) both commit. The first is held open, not committed; the second must
    wait for the wallet's lock, then see it and refuse."""
    container = build_container(postgres_url, tmp_path, inbox[1])
    author, limits, now = "0x" + "cd" * 20, PostingLimits(per_minute=2, per_hour=10), int(time.time() * 1000)
    try:
        with container.uow() as uow:
            thread, _ = threads.create_thread(
                uow.session, "general", "Two at once", "first", author=author, limits=limits, now_ms=now
            )
            uow.commit()

        def second() -> None:
            with container.uow() as uow:
                threads.reply(uow.session, thread.id, "third", author=author, limits=limits, now_ms=now)
                uow.commit()

        with container.session_factory() as held:  # the first reply, begun and not committed
            threads.reply(held, thread.id, "second", author=author, limits=limits, now_ms=now)
            outcome = outcome_behind_locks(container, held, second)
        assert outcome == "FORUM_POSTING_LIMITED"
        with container.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(ForumPost)) == 2
    finally:
        container.db_engine.dispose()


def test_a_hide_and_a_dismissal_of_its_report_at_once_close_the_report_once(
    postgres_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """PostgreSQL, READ COMMITTED: a dismissal that read the report open before a hide of its post committed closed
    it a second time, with contradictory audit entries. The hide is held open, not committed; the dismissal must
    wait for the post, then see the report closed and refuse."""
    container = build_container(postgres_url, tmp_path, inbox[1])
    author, reporter, now = "0x" + "cd" * 20, "0x" + "ef" * 20, int(time.time() * 1000)
    limits = PostingLimits(per_minute=2, per_hour=10)
    try:
        with container.uow() as uow:
            _, post = threads.create_thread(uow.session, "general", "Spam", "buy now", author=author, limits=limits,
                                            now_ms=now)  # fmt: skip
            report_id = threads.report_post(uow.session, post.id, "spam", reporter=reporter, per_hour=5, now_ms=now)
            uow.commit()

        def dismiss() -> None:
            with container.uow() as uow:
                moderation.dismiss_report(uow.session, report_id, actor="staff:b@hdex.example", ip=None, now_ms=now)
                uow.commit()

        with container.session_factory() as held:  # the hide, begun and not committed
            moderation.set_post_hidden(held, post.id, True, actor="staff:a@hdex.example", ip=None, now_ms=now)
            outcome = outcome_behind_locks(container, held, dismiss)
        assert outcome == "FORUM_REPORT_CLOSED"
        with container.uow() as uow:
            assert uow.session.get_one(ForumReport, report_id).status == "hidden"
    finally:
        container.db_engine.dispose()
