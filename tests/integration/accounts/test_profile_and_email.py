"""The profile: made on first read, changed by its wallet only; a new e-mail is verified by a single-use,
expiring link that arrives over real SMTP."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.accounts import email_links
from backend.accounts.service import Accounts, ProfileChanges
from backend.api.app import create_app
from backend.bootstrap import Container
from backend.db.models import EmailVerification
from backend.errors import HdexError

from ..api.exchange_fixtures import wallet
from ..staff.conftest import Inbox, build_container
from .conftest import OTHER, USER, ClientFor, signed_in_wallet
from .races import race


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
        "identityCountryRestricted": False,
        "restrictedCountries": ["IR", "KP"],  # the exchange's list (HDEX_KYC_RESTRICTED_COUNTRIES), sorted
        "language": "en",
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


def _mails_to(box: Inbox, address: str) -> int:
    return sum(1 for mail in box.mails if mail["To"] == address)


def test_an_address_gets_at_most_the_limit_of_links_whichever_wallet_asks_and_however_it_is_reset(
    user: TestClient, client_for: ClientFor, container: Container, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    victim, limit = "victim@example.com", container.settings.email_verify_links_per_address
    for count in range(1, limit + 1):  # saving an unverified address again mails a new link, up to the limit
        assert user.put("/v1/account/profile", json={"email": "Victim@Example.com"}).status_code == 200
        box.wait_for(count)
    refused = user.put("/v1/account/profile", json={"email": victim})
    assert (refused.status_code, refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        429, "RATE_LIMITED", "email",
    )  # fmt: skip
    assert "the link already mailed to it for this account still works" in refused.json()["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= container.settings.email_verify_ttl_s

    other = client_for("other")
    signed_in_wallet(other, OTHER)
    by_other = other.put("/v1/account/profile", json={"email": victim, "country": "DE"})
    assert (by_other.status_code, by_other.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert f"was sent {limit} verification links" in by_other.json()["error"]["message"]
    assert other.get("/v1/account/profile").json()["country"] is None  # a refusal changes nothing
    # Another address, no address, a deletion request: none makes the links already mailed count less.
    assert user.put("/v1/account/profile", json={"email": "ada@example.com"}).status_code == 200
    box.wait_for(limit + 1)
    assert user.put("/v1/account/profile", json={"email": victim}).status_code == 429
    assert user.put("/v1/account/profile", json={"email": None}).status_code == 200
    assert user.put("/v1/account/profile", json={"email": victim}).status_code == 429
    assert user.post("/v1/account/deletion").status_code == 200
    signed_in_wallet(user, USER)  # the request ended its sessions
    assert user.put("/v1/account/profile", json={"email": victim}).status_code == 429

    box.wait_for(limit + 1)
    assert _mails_to(box, victim) == limit and len(box.mails) == limit + 1
    with container.uow() as uow:  # what counts them after the deletion is no e-mail address
        stored = list(uow.session.scalars(select(EmailVerification.email)))
    assert len(stored) == limit + 1 and not [email for email in stored if "@" in email]


def test_an_address_gets_a_new_link_once_its_oldest_link_expires(
    container: Container, inbox: tuple[Inbox, int]
) -> None:
    box, _ = inbox
    now = [2_000_000_000_000]
    accounts = Accounts(container, clock=lambda: now[0])
    limit, ttl_ms = container.settings.email_verify_links_per_address, container.settings.email_verify_ttl_s * 1000
    first = now[0]
    for _ in range(limit):
        accounts.update_profile(wallet(USER), ProfileChanges(email="late@example.com"), "http://testserver")
        now[0] += 1_000
    with pytest.raises(HdexError) as refused:
        accounts.update_profile(wallet(8), ProfileChanges(email="late@example.com"), "http://testserver")
    assert refused.value.code == "RATE_LIMITED"
    assert refused.value.headers == {"Retry-After": str((first + ttl_ms - now[0]) // 1000)}
    box.wait_for(limit)

    now[0] = first + ttl_ms  # the oldest link expired: one more may go out, and then no more again
    assert accounts.update_profile(wallet(8), ProfileChanges(email="late@example.com"), "http://testserver")
    assert box.wait_for(limit + 1)["To"] == "late@example.com"
    with pytest.raises(HdexError):
        accounts.update_profile(wallet(USER), ProfileChanges(email="late@example.com"), "http://testserver")
    token = _link_token(box, limit + 1)
    assert accounts.verify_email(wallet(8), token).email_verified is True


def test_first_reads_racing_each_other_make_one_profile(container: Container) -> None:
    accounts = Accounts(container)
    barrier = threading.Barrier(4)

    def first_visit() -> int:
        barrier.wait()
        return accounts.kyc_status(wallet(8)).level

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _: first_visit(), range(4))) == [0, 0, 0, 0]
    assert accounts.profile(wallet(8).lower()).address == wallet(8)


def test_the_tags_of_an_address_count_as_one_inbox(container: Container, inbox: tuple[Inbox, int]) -> None:
    """victim+1@, victim+2@... reach one person: counted apart, anyone could mail that inbox without end."""
    box, _ = inbox
    accounts = Accounts(container)
    limit = container.settings.email_verify_links_per_address
    for tag in range(limit):
        accounts.update_profile(wallet(USER), ProfileChanges(email=f"victim+{tag}@example.com"), "http://testserver")
    accounts.update_profile(wallet(USER), ProfileChanges(email=None), "http://testserver")  # retired, still counted
    for address in ("victim+new@example.com", "Victim@Example.com"):
        with pytest.raises(HdexError) as refused:
            accounts.update_profile(wallet(OTHER), ProfileChanges(email=address), "http://testserver")
        assert refused.value.code == "RATE_LIMITED", address
        assert "its inbox (this address, or another +tag of it) was sent 3" in refused.value.message
    accounts.update_profile(wallet(OTHER), ProfileChanges(email="victim.other@example.com"), "http://testserver")
    box.wait_for(limit + 1)
    assert sorted(mail["To"] for mail in box.mails)[-1] == "victim.other@example.com"
    assert len(box.mails) == limit + 1


def test_one_client_saves_at_most_its_limit_of_addresses(
    database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    """Each saved address mails a link: one client IP may have HDEX mail only so many addresses."""
    limited = build_container(database_url, tmp_path, inbox[1], rate_limit_email_link="2/hour")
    try:
        with TestClient(create_app(limited), client=("203.0.113.30", 50000)) as client:
            signed_in_wallet(client, USER)
            for n in range(2):
                assert client.put("/v1/account/profile", json={"email": f"someone{n}@example.com"}).status_code == 200
            refused = client.put("/v1/account/profile", json={"email": "someone2@example.com", "country": "DE"})
            assert (refused.status_code, refused.json()["error"]["code"]) == (429, "RATE_LIMITED")
            profile = client.get("/v1/account/profile").json()
            assert (profile["email"], profile["country"]) == ("someone1@example.com", None)  # nothing changed
            assert client.put("/v1/account/profile", json={"country": "DE"}).status_code == 200  # no mail: free
    finally:
        limited.db_engine.dispose()


def test_a_link_used_while_its_wallet_replaces_the_address_never_verifies_the_new_one(
    container: Container, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link was checked against the address as read; the change committed before the verification did, which
    then marked the new, never verified address verified (a victim's, shown to staff as the user's own)."""
    box, _ = inbox
    accounts = Accounts(container)
    accounts.update_profile(wallet(USER), ProfileChanges(email="mine@example.com"), "http://testserver")
    token = _link_token(box, 1)
    race(
        email_links, "use_link", monkeypatch,
        lambda: accounts.verify_email(wallet(USER), token),
        lambda: accounts.update_profile(wallet(USER), ProfileChanges(email="victim@example.com"), "http://testserver"),
    )  # fmt: skip
    profile = accounts.profile(wallet(USER))
    assert (profile.email, profile.email_verified) == ("victim@example.com", False)


def test_links_to_one_inbox_saved_at_once_by_many_wallets_stay_within_its_limit(
    database_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    container = build_container(database_url, tmp_path, port, email_verify_links_per_address=1)
    accounts = Accounts(container)
    barrier = threading.Barrier(4)

    def save(key: int) -> str:
        barrier.wait()
        try:
            accounts.update_profile(wallet(key), ProfileChanges(email="victim@example.com"), "http://testserver")
        except HdexError as exc:
            return exc.code
        return "saved"

    try:
        with ThreadPoolExecutor(4) as pool:
            outcomes = sorted(pool.map(save, (5, 6, 7, 8)))
    finally:
        container.db_engine.dispose()
    assert outcomes == ["RATE_LIMITED"] * 3 + ["saved"]
    box.wait_for(1)
    assert _mails_to(box, "victim@example.com") == 1
