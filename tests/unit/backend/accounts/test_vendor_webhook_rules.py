"""The vendor webhook's verification: signature over "<timestamp>.<body>", a ±300 s window, a well-formed
decision; the signature is checked first, so an unsigned caller learns nothing about the rest."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from backend.accounts.vendor import sign_webhook, verify_webhook
from backend.errors import HdexError

SECRET = "s3cret"
NOW = 1_800_000_000
BODY = json.dumps({"eventId": "e1", "submissionId": 7, "decision": "rejected", "reason": "blurry"}).encode()


def _code(secret: str | None, stamp: str | None, signature: str | None, body: bytes = BODY) -> str:
    with pytest.raises(HdexError) as refused:
        verify_webhook(secret, stamp, signature, body, NOW)
    return refused.value.code


def test_the_signature_is_hex_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_webhook(SECRET, NOW, BODY) == expected
    decision = verify_webhook(SECRET, str(NOW), expected.upper(), BODY, NOW)
    assert (decision.event_id, decision.submission_id, decision.approve, decision.reason) == ("e1", 7, False, "blurry")


@pytest.mark.parametrize("skew", [-300, 300])
def test_the_window_is_300_seconds_either_way(skew: int) -> None:
    assert verify_webhook(SECRET, str(NOW + skew), sign_webhook(SECRET, NOW + skew, BODY), BODY, NOW).event_id == "e1"


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_the_window_is_stale(skew: int) -> None:
    assert _code(SECRET, str(NOW + skew), sign_webhook(SECRET, NOW + skew, BODY)) == "WEBHOOK_STALE"


def test_forged_or_missing_signatures_are_refused_before_anything_else() -> None:
    stale = str(NOW - 10_000)
    assert _code(SECRET, stale, sign_webhook("other", NOW - 10_000, BODY)) == "WEBHOOK_SIGNATURE_INVALID"
    assert _code(SECRET, str(NOW), None) == "WEBHOOK_SIGNATURE_INVALID"
    assert _code(SECRET, None, sign_webhook(SECRET, NOW, BODY)) == "WEBHOOK_SIGNATURE_INVALID"
    # the timestamp is signed: moving it breaks the signature
    assert _code(SECRET, str(NOW + 1), sign_webhook(SECRET, NOW, BODY)) == "WEBHOOK_SIGNATURE_INVALID"
    assert _code(None, str(NOW), sign_webhook(SECRET, NOW, BODY)) == "WEBHOOK_NOT_CONFIGURED"
    # header bytes arrive latin-1 decoded: a non-ASCII signature is refused as any other, not a fault
    assert _code(SECRET, str(NOW), "\u00e9" * 64) == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "MALFORMED_JSON"),
        (b"[]", "INVALID_FIELD"),
        (json.dumps({"eventId": "", "submissionId": 1, "decision": "approved"}).encode(), "INVALID_FIELD"),
        (json.dumps({"eventId": "e", "submissionId": True, "decision": "approved"}).encode(), "INVALID_FIELD"),
        (json.dumps({"eventId": "e", "submissionId": 1, "decision": "maybe"}).encode(), "INVALID_FIELD"),
        (
            json.dumps({"eventId": "e", "submissionId": 1, "decision": "rejected", "reason": 5}).encode(),
            "INVALID_FIELD",
        ),
    ],
)
def test_a_signed_but_malformed_decision_is_refused(body: bytes, code: str) -> None:
    assert _code(SECRET, str(NOW), sign_webhook(SECRET, NOW, body), body) == code
