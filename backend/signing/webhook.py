"""The one webhook signature scheme (pure), used both ways: the KYC vendor signs the calls it sends us
(`backend.accounts.vendor`), and we sign the alert calls we send (`backend.alerts.signing`).

HMAC-SHA256 keyed with the shared secret over "<timestamp>.<raw body>", as lowercase hex; a receiver accepts
a timestamp within `WINDOW_S` seconds of its clock (a replayed old call is refused)."""

from __future__ import annotations

import hashlib
import hmac

WINDOW_S = 300


def webhook_mac(secret: str, stamp: str, body: bytes) -> str:
    """The signature of `body` sent with the timestamp text `stamp`."""
    # The stamp as sent, not parsed: a signed "0123" is not a signed "123".
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, stamp: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is `body`'s under `stamp`, compared in constant time."""
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError), and a header may carry any.
    presented = (signature or "").strip().lower().encode()
    return bool(signature) and hmac.compare_digest(webhook_mac(secret, stamp, body).encode(), presented)


def timestamp_fresh(stamp: str, now_s: int, window_s: int = WINDOW_S) -> bool:
    """Whether the timestamp text `stamp` is whole seconds within `window_s` of `now_s`."""
    return stamp.isdigit() and abs(int(stamp) - now_s) <= window_s
