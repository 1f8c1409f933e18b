"""The alert webhook's signature (pure): the KYC vendor webhook's scheme (`backend.accounts.vendor`), sent the
other way.

Each POST carries:

- `X-HDEX-Timestamp`: the send time, whole seconds since the epoch, as decimal digits;
- `X-HDEX-Signature`: lowercase hex of HMAC-SHA256(key = HDEX_ALERT_WEBHOOK_SECRET, message = the timestamp
  header's text, ".", the raw body bytes);
- `X-HDEX-Event-Id`: "alert-<id>". Delivery is at least once (a pass that dies after sending sends again),
  so a receiver keeps the ids it has seen and ignores repeats.

A receiver recomputes the signature over the bytes it received (not re-encoded JSON), compares in constant
time, and refuses a timestamp more than `WINDOW_S` from its clock (a replayed old call).
"""

from __future__ import annotations

from backend.signing.webhook import WINDOW_S, signature_matches, timestamp_fresh, webhook_mac

TIMESTAMP_HEADER = "X-HDEX-Timestamp"
SIGNATURE_HEADER = "X-HDEX-Signature"
EVENT_ID_HEADER = "X-HDEX-Event-Id"
__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WINDOW_S",
    "sign_alert_webhook",
    "verify_alert_webhook",
]


def sign_alert_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-HDEX-Signature` of `body` sent with `X-HDEX-Timestamp: timestamp`."""
    return webhook_mac(secret, timestamp, body)


def verify_alert_webhook(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now_s: int, window_s: int = WINDOW_S
) -> bool:
    """What a receiver checks: the signature matches `body` and the timestamp is within `window_s` of `now_s`."""
    if not timestamp:
        return False
    return signature_matches(secret, timestamp, body, signature) and timestamp_fresh(timestamp, now_s, window_s)
