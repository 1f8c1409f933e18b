"""A day of accounts and KYC through every operation (wallet, staff review, vendor webhook), successes and
typed errors, for the tests that check each documented response: tests/integration/api/
test_openapi_responses.py calls it with its recording `call`, test_openapi_accounts.py with a vendor secret."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pyotp

from backend.accounts.email_links import issue_link
from backend.accounts.profiles import ensure_profile
from backend.accounts.vendor import sign_webhook
from backend.bootstrap import Container
from backend.staff.accounts import Actor, StaffAccounts
from backend.staff.roles import Role

from ..api.exchange_fixtures import wallet
from ..api.siwe_messages import sign_in_body

PASSWORD = "correct horse battery staple"
SIGNER = 9  # a dev wallet the trading day does not trade with
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
IDENTITY: dict[str, Any] = {
    "legalName": "Ada Lovelace",
    "dateOfBirth": "1990-12-10",
    "country": "FR",
    "address": {"line1": "1 rue de Rivoli", "line2": None, "city": "Paris", "postalCode": "75001", "region": None},
}


def _files(identity: bytes = PNG) -> dict[str, Any]:
    return {
        "identityDocument": ("id.png", io.BytesIO(identity), "image/png"),
        "proofOfAddress": ("bill.pdf", io.BytesIO(PDF), "application/pdf"),
    }


def _email_token(container: Container) -> str:
    """A verification link's token, as the mail would carry it (the mail itself is tested elsewhere)."""
    with container.uow() as uow:
        token = issue_link(uow.session, ensure_profile(uow.session, wallet(SIGNER), 0), 600, time.time_ns() // 10**6)
        uow.commit()
    return token


def _webhook(secret: str, event: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(event).encode()
    stamp = int(time.time())
    return {"content": body, "headers": {"X-HDEX-Timestamp": str(stamp), "X-HDEX-Signature":
                                         sign_webhook(secret, stamp, body)}}  # fmt: skip


def an_accounts_day(call: Callable[..., Any], container: Container) -> None:
    """A wallet fills its profile, verifies its e-mail, submits level 1 and 2; compliance reviews and opens a
    document; the vendor decides one; the wallet exports its data, asks for deletion and signs out everywhere."""
    call("GET", "/v1/account/profile", 401)
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(call("GET", "/v1/auth/nonce", 200)["nonce"], SIGNER))
    call("GET", "/v1/account/profile", 200)
    profile = {"email": "ada@example.com", "country": "FR", "notifications": {"news": True}}
    call("PUT", "/v1/account/profile", 200, json=profile)
    call("PUT", "/v1/account/profile", 422, json={"country": "ZZ"})
    call("POST", "/v1/account/email/verify", 422, json={"token": "unknown"})
    call("POST", "/v1/account/email/verify", 200, json={"token": _email_token(container)})

    call("GET", "/v1/account/kyc", 200)
    call("POST", "/v1/account/kyc/level1", 422, json={**IDENTITY, "dateOfBirth": "tomorrow"})
    call("POST", "/v1/account/kyc/level2", 409, files=_files())
    level1 = call("POST", "/v1/account/kyc/level1", 201, json=IDENTITY)
    call("POST", "/v1/account/kyc/level1", 409, json=IDENTITY)

    member = StaffAccounts(container).create("day-compliance@hdex.example", Role.COMPLIANCE, Actor("cli:test"),
                                             PASSWORD)  # fmt: skip
    assert member.totp_setup is not None
    call("GET", "/v1/staff/kyc/submissions", 401)
    login = call("POST", "/v1/staff/auth/login", 200, json={"email": "day-compliance@hdex.example",
                                                              "password": PASSWORD})  # fmt: skip
    body = {"challenge": login["challenge"], "code": pyotp.TOTP(member.totp_setup.secret).now()}
    csrf = {"X-CSRF-Token": call("POST", "/v1/staff/auth/totp", 200, json=body)["csrfToken"]}
    call("GET", "/v1/staff/kyc/submissions", 200, params={"status": "pending"})
    call("GET", "/v1/staff/kyc/submissions", 422, params={"status": "lost"})
    submission = f"/v1/staff/kyc/submissions/{level1['id']}"
    call("GET", "/v1/staff/kyc/submissions/{submissionId}", 200, submission)
    call("GET", "/v1/staff/kyc/submissions/{submissionId}", 404, "/v1/staff/kyc/submissions/999999")
    call("POST", "/v1/staff/kyc/submissions/{submissionId}/approve", 403, f"{submission}/approve", json={})
    call("POST", "/v1/staff/kyc/submissions/{submissionId}/approve", 200, f"{submission}/approve", json={},
         headers=csrf)  # fmt: skip
    call("POST", "/v1/staff/kyc/submissions/{submissionId}/approve", 409, f"{submission}/approve", json={},
         headers=csrf)  # fmt: skip

    call("POST", "/v1/account/kyc/level2", 415, files=_files(identity=b"MZ\x90\x00" + b"\x00" * 60))
    level2 = call("POST", "/v1/account/kyc/level2", 201, files=_files())
    document = f"/v1/staff/kyc/documents/{level2['documents'][0]['id']}"
    call("GET", "/v1/staff/kyc/documents/{documentId}", 200, document)
    call("GET", "/v1/staff/kyc/documents/{documentId}", 404, "/v1/staff/kyc/documents/999999")
    rejected = f"/v1/staff/kyc/submissions/{level2['id']}/reject"
    call("POST", "/v1/staff/kyc/submissions/{submissionId}/reject", 422, rejected, json={}, headers=csrf)
    call("POST", "/v1/staff/kyc/submissions/{submissionId}/reject", 200, rejected, json={"reason": "blurry"},
         headers=csrf)  # fmt: skip
    call("POST", "/v1/staff/auth/logout", 200, headers=csrf)

    secret = container.settings.kyc_webhook_secret
    if secret is None:
        call("POST", "/v1/kyc/vendor/webhook", 404, content=b"{}", headers={"X-HDEX-Timestamp": "1"})
    else:
        again = call("POST", "/v1/account/kyc/level2", 201, files=_files())
        event = {"eventId": f"day-{again['id']}", "submissionId": again["id"], "decision": "approved"}
        call("POST", "/v1/kyc/vendor/webhook", 200, **_webhook(secret.get_secret_value(), event))
        call("POST", "/v1/kyc/vendor/webhook", 409, **_webhook(secret.get_secret_value(), event))
        call("POST", "/v1/kyc/vendor/webhook", 401, **_webhook("forged", {**event, "eventId": "x"}))

    call("GET", "/v1/account/export", 200)
    call("POST", "/v1/account/deletion", 200)  # ends the wallet's sessions
    call("POST", "/v1/auth/logout-all", 401)
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(call("GET", "/v1/auth/nonce", 200)["nonce"], SIGNER))
    call("POST", "/v1/auth/logout-all", 200)
    call("POST", "/v1/auth/logout", 200)
