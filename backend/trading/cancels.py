"""Signed off-chain cancels: one order by hash, or every order of a wallet (in one market or all).

A single cancel signs `Cancel(maker, orderHash)`. A bulk cancel signs `Cancel(maker, scope)` where
`scope = keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")`; the timestamp must be within
`BULK_CANCEL_WINDOW_MS` of the server's clock and above the wallet's previous bulk cancel, so a
captured bulk-cancel signature cannot be replayed later against newer orders.
"""

from __future__ import annotations

from backend.api.errors import ErrorCode, HdexError
from backend.signing import Cancel, Domain, SignatureError, cancel_digest, recover_signer
from backend.signing.typed_data import keccak

BULK_CANCEL_WINDOW_MS = 60_000


def bulk_cancel_scope(market: str | None, timestamp_ms: int) -> bytes:
    """The 32 bytes a bulk cancel signs in place of an order hash."""
    return keccak(f"HDEX cancel-all|{market or '*'}|{timestamp_ms}".encode())


def verify_cancel(domain: Domain, maker: str, order_hash: bytes, signature: bytes) -> None:
    """Raise unless `signature` is `maker`'s over Cancel(maker, order_hash)."""
    try:
        signer = recover_signer(cancel_digest(domain, Cancel(maker, order_hash)), signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), "signature") from None
    if signer != maker.lower():
        raise HdexError(ErrorCode.SIGNER_NOT_MAKER, "the cancel is not signed by the order's maker", "signature")


def check_bulk_timestamp(timestamp_ms: int, previous_ms: int, now_ms: int) -> None:
    """Raise CANCEL_EXPIRED for a stale, future or replayed bulk-cancel timestamp."""
    if abs(now_ms - timestamp_ms) > BULK_CANCEL_WINDOW_MS:
        raise HdexError(ErrorCode.CANCEL_EXPIRED, "timestamp must be within 60 s of the server's clock", "timestamp")
    if timestamp_ms <= previous_ms:
        raise HdexError(
            ErrorCode.CANCEL_EXPIRED, "timestamp must be above this wallet's previous bulk cancel", "timestamp"
        )
