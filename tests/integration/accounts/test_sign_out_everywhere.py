"""A wallet ends its sessions on every device: by `POST /v1/auth/logout-all`, and by asking for deletion (a
session left open elsewhere must not read the KYC data kept for AML law). Another wallet's sessions live on."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.api.deps import SESSION_COOKIE

from .conftest import IDENTITY, OTHER, USER, ClientFor, signed_in_wallet


def signed_in(client_for: ClientFor, *names: str, signer: int = USER) -> list[TestClient]:
    browsers = [client_for(name) for name in names]
    for browser in browsers:
        signed_in_wallet(browser, signer)
    return browsers


def status(browser: TestClient) -> int:
    """What the browser's session is worth now: 200 live, 401 ended."""
    return browser.get("/v1/auth/session").status_code


def test_logout_all_ends_every_session_of_the_wallet_and_no_other_wallet_s(client_for: ClientFor) -> None:
    phone, laptop = signed_in(client_for, "phone", "laptop")
    [other] = signed_in(client_for, "other", signer=OTHER)

    answer = laptop.post("/v1/auth/logout-all")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"signedOut": True, "sessionsEnded": 2}
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert [status(phone), status(laptop), status(other)] == [401, 401, 200]


def test_logout_all_needs_a_live_session_and_this_site_s_own_page(client_for: ClientFor) -> None:
    [phone] = signed_in(client_for, "phone")
    nobody = client_for("nobody").post("/v1/auth/logout-all")
    assert (nobody.status_code, nobody.json()["error"]["code"]) == (401, "NOT_SIGNED_IN")
    sibling = phone.post("/v1/auth/logout-all", headers={"Sec-Fetch-Site": "same-site"})
    assert (sibling.status_code, sibling.json()["error"]["code"]) == (403, "CROSS_ORIGIN_REQUEST")
    assert status(phone) == 200  # a refusal changes nothing
    forged = client_for("forged")
    forged.cookies.set(SESSION_COOKIE, "not-a-session-token")
    assert forged.post("/v1/auth/logout-all").status_code == 401
    assert status(phone) == 200


def test_a_deletion_request_ends_the_wallet_s_sessions_on_every_device(client_for: ClientFor) -> None:
    phone, laptop = signed_in(client_for, "phone", "laptop")
    [other] = signed_in(client_for, "other", signer=OTHER)
    assert laptop.post("/v1/account/kyc/level1", json=IDENTITY).status_code == 201

    assert laptop.post("/v1/account/deletion").status_code == 200

    export = phone.get("/v1/account/export")
    assert (export.status_code, export.json()["error"]["code"]) == (401, "NOT_SIGNED_IN")
    assert [status(phone), status(laptop), status(other)] == [401, 401, 200]
