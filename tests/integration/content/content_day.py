"""Announcements and the help center through every operation, successes and typed errors, for the OpenAPI
conformance tests (tests/integration/api/test_openapi_responses.py calls `a_content_day`; so does
test_openapi_content.py here): a member of support publishes, changes and withdraws an announcement, reads
the list and the feed, and writes, previews, publishes, translates, reads and deletes a help article."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp

from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

PASSWORD = "correct horse battery staple"
EMAIL = "content-day@hdex.example"
HOUR = 3_600_000


def a_content_day(call: Callable[..., Any], container: Container) -> None:
    """Every announcements and help-center operation, with a success and a typed error each where one exists."""
    now = time.time_ns() // 1_000_000
    call("GET", "/v1/staff/announcements", 401)
    call("GET", "/v1/staff/help/articles", 401)
    created = StaffAccounts(container).create(EMAIL, Role.SUPPORT, Actor("cli:test"), PASSWORD)
    assert created.totp_setup is not None
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": EMAIL, "password": PASSWORD})
    totp = {"challenge": login["challenge"], "code": pyotp.TOTP(created.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=totp)["csrfToken"]}

    notice = {"title": "Upgrade", "body": "We **upgrade**.", "severity": "warning", "placement": "banner",
              "startsAt": now - HOUR, "endsAt": now + HOUR}  # fmt: skip
    made = call("POST", "/v1/staff/announcements", 201, json=notice, headers=csrf)
    call("POST", "/v1/staff/announcements", 422, json={**notice, "endsAt": now - 2 * HOUR}, headers=csrf)
    one = "/v1/staff/announcements/{announcementId}"
    call("PUT", one, 200, f"/v1/staff/announcements/{made['id']}", json={**notice, "placement": "dialog"},
         headers=csrf)  # fmt: skip
    call("PUT", one, 404, "/v1/staff/announcements/999999", json=notice, headers=csrf)
    call("GET", "/v1/staff/announcements", 200, params={"limit": 5})
    call("GET", "/v1/announcements", 200)
    call("GET", "/v1/announcements.atom", 200)
    withdraw = "/v1/staff/announcements/{announcementId}/withdraw"
    call("POST", withdraw, 200, f"/v1/staff/announcements/{made['id']}/withdraw", headers=csrf)
    call("POST", withdraw, 409, f"/v1/staff/announcements/{made['id']}/withdraw", headers=csrf)

    draft = {"slug": "day-article", "title": "A day", "body": "Read **this**.", "published": False}
    article = call("POST", "/v1/staff/help/articles", 201, json=draft, headers=csrf)
    call("POST", "/v1/staff/help/articles", 409, json=draft, headers=csrf)
    staff_one = "/v1/staff/help/articles/{articleId}"
    path = f"/v1/staff/help/articles/{article['id']}"
    call("PUT", staff_one, 200, path, json={**draft, "published": True}, headers=csrf)
    call("GET", staff_one, 200, path, headers=csrf)
    call("GET", "/v1/staff/help/articles", 200, params={"q": "day"})
    call("POST", "/v1/staff/help/preview", 200, json={"body": "*x*"}, headers=csrf)
    call("GET", "/v1/help/articles", 200, params={"q": "read this"})
    call("GET", "/v1/help/articles/{slug}", 200, "/v1/help/articles/day-article")
    translation = "/v1/staff/help/articles/{articleId}/translations/{language}"
    in_chinese = f"{path}/translations/zh-CN"
    call("PUT", translation, 200, in_chinese, json={"title": "一天", "body": "读**这个**。"}, headers=csrf)
    call("PUT", translation, 422, f"{path}/translations/en", json={"title": "t", "body": "b"}, headers=csrf)
    call("GET", "/v1/help/articles", 200, params={"q": "这个", "lang": "zh-CN"})
    call("GET", "/v1/help/articles/{slug}", 200, "/v1/help/articles/day-article", params={"lang": "zh-CN"})
    call("DELETE", translation, 200, in_chinese, headers=csrf)
    call("DELETE", translation, 404, in_chinese, headers=csrf)
    call("DELETE", staff_one, 200, path, headers=csrf)
    call("DELETE", staff_one, 404, path, headers=csrf)
    call("GET", "/v1/help/articles/{slug}", 404, "/v1/help/articles/day-article")
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)
