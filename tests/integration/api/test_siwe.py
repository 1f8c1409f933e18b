"""Sign-in with Ethereum: a server nonce, the message's domain, URI, chain and times, the signer, one use
per nonce, a session cookie that scripts and other sites cannot use, and a sign-out that revokes it.

Messages are written the way a wallet client writes them (EIP-4361 text) and signed with eth-account's
personal_sign (EIP-191) by anvil's dev keys; no chain is needed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.api.deps import SESSION_COOKIE
from backend.db.models import SignInNonce, WalletSession

from .exchange_fixtures import Exchange, prepare, running, wallet
from .siwe_messages import HOST, personal_sign, siwe_message

SIGNER = 5


def new_nonce(exchange: Exchange) -> str:
    answer = exchange.client.get("/v1/auth/nonce")
    assert answer.status_code == 200, answer.text
    nonce: str = answer.json()["nonce"]
    return nonce


def sign_in(exchange: Exchange, message: str, signer: int = SIGNER) -> Any:
    return exchange.client.post("/v1/auth/siwe", json={"message": message, "signature": personal_sign(message, signer)})


def refused(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running(prepare(sqlite_url, tmp_path))


def test_a_signed_message_with_a_server_nonce_starts_a_session(exchange: Exchange) -> None:
    assert refused(exchange.client.get("/v1/auth/session")) == (401, "NOT_SIGNED_IN")

    answer = sign_in(exchange, siwe_message(new_nonce(exchange)))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["address"], body["chainId"]) == (wallet(SIGNER), 31337)
    assert body["expiresAt"] > time.time() * 1000
    session = exchange.client.get("/v1/auth/session")
    assert session.status_code == 200
    assert session.json() == body


def test_the_session_token_is_stored_only_as_its_hash(exchange: Exchange) -> None:
    answer = sign_in(exchange, siwe_message(new_nonce(exchange)))
    token = answer.cookies[SESSION_COOKIE]
    with exchange.container.uow() as uow:
        rows = uow.session.scalars(select(WalletSession)).all()
    assert [row.token_hash for row in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in {row.token_hash for row in rows}


def test_the_cookie_is_http_only_same_site_strict_and_not_secure_in_development(app: Exchange) -> None:
    cookie = sign_in(app, siwe_message(new_nonce(app))).headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict"
    assert attributes["path"] == "Path=/"
    assert 0 < int(attributes["max-age"].split("=")[1]) <= 600  # the message expires in 10 minutes
    assert "secure" not in attributes  # plain http on loopback


def test_the_cookie_is_secure_and_host_only_outside_development(sqlite_url: str, tmp_path: Path) -> None:
    """`__Host-`: a browser takes the cookie only from this very host, so a sibling subdomain can neither set nor
    shadow it with a session of its own (under which the user's KYC documents would be filed)."""
    for exchange in running(prepare(sqlite_url, tmp_path, env="test")):
        answer = sign_in(exchange, siwe_message(new_nonce(exchange)))
        assert answer.status_code == 200, answer.text
        name, _, token = answer.headers["set-cookie"].split(";")[0].partition("=")
        flags = [part.strip().lower() for part in answer.headers["set-cookie"].split(";")[1:]]
        assert name == "__Host-hdex_session"
        assert {"secure", "httponly", "samesite=strict", "path=/"} <= set(flags)
        assert not any(flag.startswith("domain=") for flag in flags)
        exchange.client.cookies.clear()  # a Secure cookie over this plain-http test client: sent by hand
        session = exchange.client.get("/v1/auth/session", headers={"cookie": f"__Host-hdex_session={token}"})
        assert session.json()["address"] == wallet(SIGNER)
        plain = exchange.client.get("/v1/auth/session", headers={"cookie": f"{SESSION_COOKIE}={token}"})
        assert refused(plain) == (401, "NOT_SIGNED_IN")


def test_a_request_carrying_two_session_cookies_is_not_signed_in(app: Exchange) -> None:
    """Another origin of the site (over plain http, where the prefix cannot be had) set its own: which one the user
    signed in with, the server cannot tell."""
    mine = sign_in(app, siwe_message(new_nonce(app))).cookies[SESSION_COOKIE]
    theirs = sign_in(app, siwe_message(new_nonce(app), signer=6), signer=6).cookies[SESSION_COOKIE]
    app.client.cookies.clear()
    both = {"cookie": f"{SESSION_COOKIE}={mine}; {SESSION_COOKIE}={theirs}"}

    answer = app.client.post("/v1/account/kyc/level1", json={}, headers=both)

    assert refused(answer) == (401, "NOT_SIGNED_IN")
    assert "two session cookies" in answer.json()["error"]["message"]
    assert app.client.get("/v1/auth/session", headers={"cookie": f"{SESSION_COOKIE}={mine}"}).status_code == 200


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"domain": "evil.example"}, "SIWE_WRONG_DOMAIN"),
        ({"uri": "http://evil.example/login"}, "SIWE_WRONG_URI"),
        ({"uri": f"ftp://{HOST}"}, "SIWE_WRONG_URI"),
        ({"chain_id": 1}, "SIWE_WRONG_CHAIN"),
        ({"expires_in": timedelta(seconds=-1)}, "SIWE_EXPIRED"),
        ({"not_before": datetime.now(UTC) + timedelta(hours=1)}, "SIWE_NOT_YET_VALID"),
    ],
    ids=["wrong-domain", "uri-off-domain", "uri-not-http", "wrong-chain", "expired", "not-yet-valid"],
)
def test_a_message_that_breaks_a_rule_is_refused_and_leaves_its_nonce_usable(
    app: Exchange, message: dict[str, Any], code: str
) -> None:
    nonce = new_nonce(app)
    answer = sign_in(app, siwe_message(nonce, **message))
    assert refused(answer) == (401, code)
    assert SESSION_COOKIE not in answer.cookies
    assert refused(app.client.get("/v1/auth/session")) == (401, "NOT_SIGNED_IN")
    assert sign_in(app, siwe_message(nonce)).status_code == 200  # a refusal used nothing up


def test_a_signature_by_another_wallet_is_refused(app: Exchange) -> None:
    message = siwe_message(new_nonce(app))
    answer = app.client.post("/v1/auth/siwe", json={"message": message, "signature": personal_sign(message, 6)})
    assert refused(answer) == (401, "INVALID_SIGNATURE")
    assert answer.json()["error"]["field"] == "signature"


@pytest.mark.parametrize("signature", ["0x" + "00" * 65, "0x" + "11" * 64 + "1b"], ids=["zeros", "no-point"])
def test_a_signature_no_key_recovers_from_is_refused_and_leaves_the_nonce_usable(app: Exchange, signature: str) -> None:
    """65 bytes from which no public key can be recovered: eth-keys' BadSignature escaped the checks (500)."""
    nonce = new_nonce(app)
    answer = app.client.post("/v1/auth/siwe", json={"message": siwe_message(nonce), "signature": signature})
    assert refused(answer) == (401, "INVALID_SIGNATURE")
    assert answer.json()["error"]["field"] == "signature"
    assert sign_in(app, siwe_message(nonce)).status_code == 200


def test_a_nonce_signs_in_once(app: Exchange) -> None:
    message = siwe_message(new_nonce(app))
    assert sign_in(app, message).status_code == 200
    assert refused(sign_in(app, message)) == (401, "SIWE_NONCE_INVALID")
    with app.container.uow() as uow:
        assert uow.session.scalars(select(SignInNonce)).all() == []


def test_a_nonce_the_server_did_not_hand_out_is_refused(app: Exchange) -> None:
    assert refused(sign_in(app, siwe_message("madeupnonce12345"))) == (401, "SIWE_NONCE_INVALID")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "hello", "signature": "0x" + "11" * 65},
        {"message": siwe_message("abcdefgh1234").replace(wallet(SIGNER), wallet(SIGNER).lower())},
    ],
    ids=["not-eip-4361", "address-not-eip-55"],
)
def test_a_message_that_does_not_parse_is_refused_in_words(app: Exchange, body: dict[str, str]) -> None:
    body = {"signature": "0x" + "11" * 65, **body}
    answer = app.client.post("/v1/auth/siwe", json=body)
    assert refused(answer) == (422, "SIWE_MALFORMED")
    assert "sign-in message" in answer.json()["error"]["message"]


def test_sign_out_revokes_the_session_on_the_server(app: Exchange) -> None:
    token = sign_in(app, siwe_message(new_nonce(app))).cookies[SESSION_COOKIE]

    answer = app.client.post("/v1/auth/logout")

    assert answer.status_code == 200
    assert answer.json() == {"signedOut": True}
    assert 'hdex_session=""' in answer.headers["set-cookie"] or "Max-Age=0" in answer.headers["set-cookie"]
    assert refused(app.client.get("/v1/auth/session")) == (401, "NOT_SIGNED_IN")
    # A copy of the cookie kept elsewhere is worthless too: the session is gone from the server.
    app.client.cookies.set(SESSION_COOKIE, token)
    assert refused(app.client.get("/v1/auth/session")) == (401, "NOT_SIGNED_IN")


def test_sign_out_from_another_origin_of_the_site_is_refused_and_the_session_lives_on(app: Exchange) -> None:
    sign_in(app, siwe_message(new_nonce(app)))

    answer = app.client.post("/v1/auth/logout", headers={"Sec-Fetch-Site": "same-site"})

    assert refused(answer) == (403, "CROSS_ORIGIN_REQUEST")
    assert app.client.get("/v1/auth/session").status_code == 200


def test_configured_domains_replace_the_request_host(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, siwe_domains="hdex.example.org")):
        nonce = new_nonce(exchange)
        assert refused(sign_in(exchange, siwe_message(nonce))) == (401, "SIWE_WRONG_DOMAIN")
        assert sign_in(exchange, siwe_message(nonce, domain="hdex.example.org")).status_code == 200


def test_nonces_and_sign_ins_have_their_own_rate_limit_per_client(sqlite_url: str, tmp_path: Path) -> None:
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_auth="2/minute")):
        answers = [exchange.client.get("/v1/auth/nonce") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json()["error"]["code"] == "RATE_LIMITED"
        assert int(answers[2].headers["Retry-After"]) >= 1
