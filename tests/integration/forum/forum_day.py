"""The forum through its API, successes and typed errors, for the OpenAPI conformance test
(tests/integration/api/test_openapi_responses.py; `a_forum_day(call, exchange.container)` there): two wallets
post, reply, search and report, a moderator works the report, pins and locks, bans and unbans, adds a
category. `call(method, template, status, path=None, **request)` makes one request through one client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..api.siwe_messages import sign_in_body

PASSWORD = "correct horse battery staple"
EMAIL = "forum-day@hdex.example"
AUTHOR, REPLIER = 7, 8  # dev wallets the other days leave alone


def _sign_in(call: Callable[..., Any], signer: int) -> None:
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(call("GET", "/v1/auth/nonce", 200)["nonce"], signer))


def a_forum_day(call: Callable[..., Any], container: Container) -> None:
    """Every forum operation, public and staff, with a success and the refusals a client meets."""
    call("GET", "/v1/forum/categories", 200)
    call("POST", "/v1/forum/threads", 401, json={"category": "general", "title": "Hi all", "message": "x"})
    _sign_in(call, AUTHOR)
    made = call("POST", "/v1/forum/threads", 201, json={"category": "general", "title": "Hi all", "message": "**x**"})
    thread_id, post_id = made["thread"]["id"], made["post"]["id"]
    call("POST", "/v1/forum/threads", 422, json={"category": "general", "title": "ab", "message": "x"})
    call("POST", "/v1/forum/threads", 404, json={"category": "nowhere", "title": "Hi all", "message": "x"})
    thread, posts = "/v1/forum/threads/{threadId}", "/v1/forum/threads/{threadId}/posts"
    _sign_in(call, REPLIER)
    call("POST", posts, 201, f"/v1/forum/threads/{thread_id}/posts", json={"message": "hello there"})
    call("POST", posts, 404, "/v1/forum/threads/999999/posts", json={"message": "hello"})
    call("GET", "/v1/forum/threads", 200, params={"category": "general", "limit": 1})
    call("GET", "/v1/forum/threads", 404, params={"category": "nowhere"})
    call("GET", "/v1/forum/threads", 422, params={"cursor": "nope"})
    call("GET", thread, 200, f"/v1/forum/threads/{thread_id}")
    call("GET", thread, 404, "/v1/forum/threads/999999")
    call("GET", posts, 200, f"/v1/forum/threads/{thread_id}/posts", params={"limit": 1})
    call("GET", posts, 404, "/v1/forum/threads/999999/posts")
    call("GET", "/v1/forum/search", 200, params={"q": "hello"})
    call("GET", "/v1/forum/search", 422, params={"q": "***"})
    report = "/v1/forum/posts/{postId}/report"
    call("POST", report, 201, f"/v1/forum/posts/{post_id}/report", json={"reason": "spam"})
    call("POST", report, 409, f"/v1/forum/posts/{post_id}/report", json={"reason": "spam"})
    call("POST", report, 404, "/v1/forum/posts/999999/report", json={"reason": "spam"})

    call("GET", "/v1/staff/forum/reports", 401)
    created = StaffAccounts(container).create(EMAIL, Role.SUPPORT, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": EMAIL, "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}
    reports = call("GET", "/v1/staff/forum/reports", 200)["reports"]
    call("GET", "/v1/staff/forum/reports", 422, params={"status": "new"})
    call("GET", "/v1/staff/forum/threads", 200)
    call("GET", "/v1/staff/forum/threads", 404, params={"category": "nowhere"})
    flag = "/v1/staff/forum/threads/{threadId}/{action}"
    for action in ("pin", "lock"):
        call("POST", flag, 200, f"/v1/staff/forum/threads/{thread_id}/{action}", headers=csrf)
    call("POST", flag, 404, "/v1/staff/forum/threads/999999/pin", headers=csrf)
    call("POST", flag, 422, f"/v1/staff/forum/threads/{thread_id}/shout", headers=csrf)
    call("POST", posts, 409, f"/v1/forum/threads/{thread_id}/posts", json={"message": "late"})
    visibility = "/v1/staff/forum/posts/{postId}/{action}"
    call("POST", visibility, 200, f"/v1/staff/forum/posts/{post_id}/hide", headers=csrf)
    call("POST", visibility, 404, "/v1/staff/forum/posts/999999/hide", headers=csrf)
    dismiss = "/v1/staff/forum/reports/{reportId}/dismiss"
    call("POST", dismiss, 409, f"/v1/staff/forum/reports/{reports[0]['id']}/dismiss", headers=csrf)
    call("POST", dismiss, 404, "/v1/staff/forum/reports/999999/dismiss", headers=csrf)
    banned = wallet(REPLIER)
    call("POST", "/v1/staff/forum/bans", 201, json={"wallet": banned, "reason": "spam"}, headers=csrf)
    call("POST", "/v1/staff/forum/bans", 409, json={"wallet": banned, "reason": "spam"}, headers=csrf)
    call("POST", "/v1/staff/forum/bans", 422, json={"wallet": "0x12", "reason": "spam"}, headers=csrf)
    call("GET", "/v1/staff/forum/bans", 200)
    call("POST", "/v1/forum/threads", 403, json={"category": "general", "title": "Back again", "message": "x"})
    unban = "/v1/staff/forum/bans/{wallet}/unban"
    call("POST", unban, 200, f"/v1/staff/forum/bans/{banned}/unban", json={"reason": "appealed"}, headers=csrf)
    call("POST", unban, 404, f"/v1/staff/forum/bans/{banned}/unban", headers=csrf)
    category = {"slug": "bots", "name": "Bots", "description": "APIs and bots"}
    call("POST", "/v1/staff/forum/categories", 201, json=category, headers=csrf)
    call("POST", "/v1/staff/forum/categories", 409, json=category, headers=csrf)
    call("POST", "/v1/staff/forum/categories", 422, json={"slug": "Bad Slug", "name": "x"}, headers=csrf)
    renamed = {"name": "Bots", "description": "APIs", "translations": {"zh-CN": {"name": "机器人"}}}
    change = "/v1/staff/forum/categories/{slug}"
    call("PUT", change, 200, "/v1/staff/forum/categories/bots", json=renamed, headers=csrf)
    call("PUT", change, 404, "/v1/staff/forum/categories/nowhere", json=renamed, headers=csrf)
    call("PUT", change, 422, "/v1/staff/forum/categories/bots", json={"name": " "}, headers=csrf)
    call("GET", "/v1/staff/forum/categories", 200)
    move = "/v1/staff/forum/categories/{slug}/move"
    call("POST", move, 200, "/v1/staff/forum/categories/bots/move", json={"direction": "up"}, headers=csrf)
    call("POST", move, 404, "/v1/staff/forum/categories/nowhere/move", json={"direction": "up"}, headers=csrf)
    call("POST", move, 422, "/v1/staff/forum/categories/bots/move", json={"direction": "left"}, headers=csrf)
    remove = "/v1/staff/forum/categories/{slug}"
    call("DELETE", remove, 409, "/v1/staff/forum/categories/general", headers=csrf)  # its threads keep it
    call("DELETE", remove, 200, "/v1/staff/forum/categories/bots", headers=csrf)
    call("DELETE", remove, 404, "/v1/staff/forum/categories/bots", headers=csrf)
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
    call("POST", "/v1/auth/logout", 200)
