"""The profile: made on first read, changed by its wallet only; a new e-mail is verified by a single-use,
expiring link that arrives over real SMTP."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient

from backend.accounts.service import Accounts, ProfileChanges
from backend.bootstrap import Container
from backend.errors import HdexError

from ..api.exchange_fixtures import wallet
from ..staff.conftest import Inbox
from .conftest import OTHER, USER, ClientFor, signed_in_wallet


def _link_token(inbox: Inbox, count: int) -> str:
    mail = inbox.wait_for(count)
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    found = re.search(r"(http\S+/account\?verifyEmail=\S+)", body)
    assert found is not None, body
    return parse_qs(urlparse(found.group(1)).query)["verifyEmail"][0]


def test_a_profile_is_made_on_first_read_with_nothing_personal(user: TestClient) -> None:
    assert user.get("/v1/account/profile").json() == {
        "address": wallet(USER),
        "email": None,
        "emailVerified": False,
        "country": None,
        "notifications": {"fills": True, "withdrawals": True, "news": False},
        "level": 0,
        "countryRestricted": False,
    }


def test_a_profile_update_changes_only_the_fields_named(user: TestClient) -> None:
    user.put("/v1/account/profile", json={"country": "de", "notifications": {"news": True}})
    profile = user.put("/v1/account/profile", json={"notifications": {"fills": False}}).json()
    assert profile["country"] == "DE"
    assert profile["notifications"] == {"fills": False, "withdrawals": True, "news": True}
    for body, field in (({"country": "ZZ"}, "country"), ({"country": "DEU"}, "country"), ({"nick": "x"}, "nick")):
        refused = user.put("/v1/account/profile", json=body)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field
    assert user.get("/v1/account/profile").json() == profile


def test_an_email_link_from_real_smtp_verifies_once(user: TestClient, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    profile = user.put("/v1/account/profile", json={"email": "Ada@Example.com"}).json()
    assert profile["email"] == "ada@example.com" and profile["emailVerified"] is False
    token = _link_token(box, 1)
    assert box.mails[0]["To"] == "ada@example.com"
    assert box.mails[0].get_content_type() == "text/plain"

    verified = user.post("/v1/account/email/verify", json={"token": token})
    assert verified.status_code == 200 and verified.json()["emailVerified"] is True
    reused = user.post("/v1/account/email/verify", json={"token": token})
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "EMAIL_LINK_INVALID"
    assert user.get("/v1/account/profile").json()["emailVerified"] is True


def test_a_link_works_for_its_own_wallet_and_its_latest_address_only(
    user: TestClient, client_for: ClientFor, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    user.put("/v1/account/profile", json={"email": "first@example.com"})
    first = _link_token(box, 1)
    other = client_for("other")
    signed_in_wallet(other, OTHER)
    stolen = other.post("/v1/account/email/verify", json={"token": first})
    assert stolen.status_code == 422 and stolen.json()["error"]["code"] == "EMAIL_LINK_INVALID"
    assert other.get("/v1/account/profile").json()["emailVerified"] is False

    user.put("/v1/account/profile", json={"email": "second@example.com"})
    second = _link_token(box, 2)
    assert user.post("/v1/account/email/verify", json={"token": first}).status_code == 422
    assert user.post("/v1/account/email/verify", json={"token": second}).json()["email"] == "second@example.com"
    removed = user.put("/v1/account/profile", json={"email": None}).json()
    assert removed["email"] is None and removed["emailVerified"] is False


def test_an_expired_link_is_refused_and_changes_nothing(container: Container, inbox: tuple[Inbox, int]) -> None:
    box, _ = inbox
    now = [2_000_000_000_000]
    accounts = Accounts(container, clock=lambda: now[0])
    accounts.update_profile(wallet(USER), ProfileChanges(email="late@example.com"), "http://testserver")
    token = _link_token(box, 1)
    now[0] += container.settings.email_verify_ttl_s * 1000
    try:
        accounts.verify_email(wallet(USER), token)
        raise AssertionError("an expired link was accepted")
    except HdexError as exc:
        assert exc.code == "EMAIL_LINK_INVALID"
    assert accounts.profile(wallet(USER)).email_verified is False
    now[0] -= 1  # the same link a moment before its expiry still works: the refusal consumed nothing
    assert accounts.verify_email(wallet(USER), token).email_verified is True


def test_first_reads_racing_each_other_make_one_profile(container: Container) -> None:
    accounts = Accounts(container)
    barrier = threading.Barrier(4)

    def first_visit() -> int:
        barrier.wait()
        return accounts.kyc_status(wallet(8)).level

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: first_visit(), range(4))) == [0, 0, 0, 0]
    assert accounts.profile(wallet(8).lower()).address == wallet(8)
