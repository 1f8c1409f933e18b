"""A profile's language (en or zh-CN, as the dApp speaks): the API keeps it, refuses any other with INVALID_FIELD,
exports it, and the verification link's mail (received over real SMTP) is written in it."""

# ruff: noqa: RUF001  (the Chinese mails take full-width punctuation, as the dApp's zh-CN catalogues do)

from __future__ import annotations

from email.header import decode_header, make_header
from email.message import Message

from fastapi.testclient import TestClient

from ..staff.conftest import Inbox
from .conftest import OTHER, USER, ClientFor, signed_in_wallet


def _text(mail: Message) -> tuple[str, str]:
    """The mail's subject and body as the reader sees them (decoded)."""
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    charset = mail.get_content_charset() or "utf-8"
    return str(make_header(decode_header(str(mail["Subject"])))), payload.decode(charset)


def test_a_zh_cn_profile_gets_its_verification_link_in_chinese(user: TestClient, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    profile = user.put("/v1/account/profile", json={"email": "ada@example.com", "language": "zh-CN"}).json()
    assert profile["language"] == "zh-CN"
    subject, body = _text(box.wait_for(1))
    assert subject == "HDEX：请确认您的电子邮箱"
    assert "请使用下方链接为您的 HDEX 账户确认此电子邮箱" in body and "24 小时" in body
    assert "/account?verifyEmail=" in body and "Confirm" not in body
    assert user.get("/v1/account/profile").json()["language"] == "zh-CN"
    assert user.get("/v1/account/export").json()["profile"]["language"] == "zh-CN"


def test_an_en_profile_and_one_that_never_named_a_language_get_it_in_english(
    user: TestClient, client_for: ClientFor, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    assert user.get("/v1/account/profile").json()["language"] == "en"  # the default
    user.put("/v1/account/profile", json={"language": "zh-CN"})
    user.put("/v1/account/profile", json={"email": "ada@example.com", "language": "en"})
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    other.put("/v1/account/profile", json={"email": "bob@example.com"})
    box.wait_for(2)
    for mail in box.mails:
        subject, body = _text(mail)
        assert subject == "HDEX: confirm your e-mail address"
        assert body.startswith("Confirm this e-mail address for your HDEX account") and "24 hours" in body
    assert user.get("/v1/account/export").json()["profile"]["language"] == "en"


def test_a_language_hdex_does_not_write_is_refused_and_changes_nothing(
    user: TestClient, inbox: tuple[Inbox, int]
) -> None:
    user.put("/v1/account/profile", json={"language": "zh-CN"})
    for language in ("fr", "zh-cn", "", "zh-CN-x-very-long-tag", 7):
        refused = user.put("/v1/account/profile", json={"email": "ada@example.com", "language": language})
        assert refused.status_code == 422, language
        assert refused.json()["error"]["code"] == "INVALID_FIELD" and refused.json()["error"]["field"] == "language"
    profile = user.get("/v1/account/profile").json()
    assert (profile["language"], profile["email"]) == ("zh-CN", None)
    assert inbox[0].mails == []


def test_a_deletion_request_forgets_the_language(user: TestClient) -> None:
    user.put("/v1/account/profile", json={"language": "zh-CN"})
    assert user.post("/v1/account/deletion").status_code == 200
    signed_in_wallet(user, USER)
    assert user.get("/v1/account/profile").json()["language"] == "en"
