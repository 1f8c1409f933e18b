"""The alert webhook's signature: hex HMAC-SHA256 over "<timestamp>.<body>", the KYC vendor webhook's scheme;
a receiver accepts only the exact body, the right key and a fresh timestamp."""

from __future__ import annotations

import hashlib
import hmac

from backend.accounts.vendor import sign_webhook
from backend.alerts.signing import sign_alert_webhook, verify_alert_webhook

SECRET = "alert-secret"
NOW = 1_800_000_000
BODY = b'{"event":"alert","alert":{"id":7}}'


def test_the_signature_is_hex_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_alert_webhook(SECRET, str(NOW), BODY) == expected


def test_the_scheme_is_the_kyc_vendor_webhooks() -> None:
    assert sign_alert_webhook(SECRET, str(NOW), BODY) == sign_webhook(SECRET, NOW, BODY)


def test_a_receiver_accepts_the_signed_body_in_either_case_of_hex() -> None:
    signature = sign_alert_webhook(SECRET, str(NOW), BODY)
    assert verify_alert_webhook(SECRET, str(NOW), signature, BODY, NOW)
    assert verify_alert_webhook(SECRET, str(NOW), signature.upper(), BODY, NOW + 300)


def test_a_changed_body_key_or_timestamp_fails_verification() -> None:
    signature = sign_alert_webhook(SECRET, str(NOW), BODY)
    assert not verify_alert_webhook(SECRET, str(NOW), signature, BODY.replace(b"7", b"8"), NOW)
    assert not verify_alert_webhook("another secret", str(NOW), signature, BODY, NOW)
    assert not verify_alert_webhook(SECRET, str(NOW + 1), signature, BODY, NOW)
    assert not verify_alert_webhook(SECRET, "0" + str(NOW), signature, BODY, NOW)  # the stamp as sent is signed


def test_a_stale_or_missing_timestamp_or_signature_fails_verification() -> None:
    old = str(NOW - 301)
    assert not verify_alert_webhook(SECRET, old, sign_alert_webhook(SECRET, old, BODY), BODY, NOW)
    assert not verify_alert_webhook(SECRET, None, sign_alert_webhook(SECRET, str(NOW), BODY), BODY, NOW)
    assert not verify_alert_webhook(SECRET, str(NOW), None, BODY, NOW)
