"""Signed off-chain cancels: one order by hash, every order of a wallet (in one market or all), a
cancel-after deadline, and the cancel half of a cancel-replace.

A single cancel signs `Cancel(maker, orderHash)`. A bulk cancel signs `Cancel(maker, scope)` where
`scope = keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")`; a cancel-after signs
`Cancel(maker, keccak256("HDEX cancel-after|<market or *>|<timeoutMs>|<timestamp ms>"))`. Their
timestamp must be within `BULK_CANCEL_WINDOW_MS` of the server's clock and above the previous one of
the same kind, so a captured signature cannot be replayed later against newer orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.errors import ErrorCode, HdexError
from backend.signing import Cancel, Domain, SignatureError, cancel_digest, recover_signer
from backend.signing.typed_data import keccak
from backend.trading.rules.cancel_after import check_timeout
from backend.trading.rules.orders import (
    OrderRequest,
    TrackedOrder,
    parse_address,
    parse_hash,
    parse_order_request,
    parse_signature,
    parse_uint,
)

BULK_CANCEL_WINDOW_MS = 60_000
# what a single cancel's body is, for the refusal of a missing or unreadable one
CANCEL_BODY = (
    '{"signature": "0x<65-byte hex>"}, the maker\'s EIP-712 signature of Cancel(maker, orderHash) '
    "(GET /v1/eip712: typedData.Cancel)"
)


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """`DELETE /v1/orders/{orderHash}`: which order, and its maker's signature over Cancel(maker, orderHash)."""

    order_hash: str  # lowercase 0x-hex
    signature: bytes


def parse_cancel_request(order_hash: Any, body: Any) -> CancelRequest:
    """A single cancel from its path's hash and its body `{"signature": "0x.."}`, or the refusal naming the field."""
    key = parse_hash(order_hash, "orderHash")
    signature = parse_signature(body.get("signature") if isinstance(body, dict) else None)
    return CancelRequest(key, signature)


@dataclass(frozen=True, slots=True)
class ReplaceRequest:
    """`POST /v1/orders/replace`: the order to cancel, its maker's signature over Cancel(maker, orderHash), and the
    new order that takes its place."""

    order_hash: str  # lowercase 0x-hex
    cancel_signature: bytes
    order: OrderRequest


def parse_replace_request(body: Any) -> ReplaceRequest:
    """A cancel-replace from its body, or the refusal naming the field."""
    cancel = body.get("cancel") if isinstance(body, dict) else None
    if not isinstance(cancel, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "must be an object {orderHash, signature}", "cancel")
    key = parse_hash(cancel.get("orderHash"), "cancel.orderHash")
    signature = parse_signature(cancel.get("signature"), "cancel.signature")
    return ReplaceRequest(key, signature, parse_order_request(body))


@dataclass(frozen=True, slots=True)
class BulkCancelRequest:
    """`POST /v1/orders/cancel`: every open order of `maker`, in `market` or (None) in all of them."""

    maker: str  # lowercase
    market: str | None  # as sent: whether it names a market is the engine's to say
    timestamp_ms: int
    signature: bytes


def parse_bulk_cancel_request(body: Any) -> BulkCancelRequest:
    """A bulk cancel from its body, or the refusal naming the field."""
    maker, market = _maker_and_market(body)
    return BulkCancelRequest(maker, market, *_timestamp_and_signature(body))


@dataclass(frozen=True, slots=True)
class CancelAfterRequest:
    """`POST /v1/orders/cancel-after`: arm, refresh or (timeout 0) turn off `maker`'s dead-man switch."""

    maker: str  # lowercase
    market: str | None  # as sent, as a bulk cancel's
    timeout_ms: int
    timestamp_ms: int
    signature: bytes


def parse_cancel_after_request(body: Any) -> CancelAfterRequest:
    """A cancel-after request from its body, or the refusal naming the field."""
    maker, market = _maker_and_market(body)
    timeout_ms = parse_uint(body.get("timeoutMs"), 64, "timeoutMs")
    check_timeout(timeout_ms)
    return CancelAfterRequest(maker, market, timeout_ms, *_timestamp_and_signature(body))


def _maker_and_market(body: Any) -> tuple[str, str | None]:
    if not isinstance(body, dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "the body must be a JSON object")
    maker = parse_address(body.get("maker"), "maker")
    market = body.get("market")
    if market is not None and not isinstance(market, str):
        raise HdexError(ErrorCode.INVALID_FIELD, "must be a market name or null", "market")
    return maker, market


def _timestamp_and_signature(body: dict[str, Any]) -> tuple[int, bytes]:
    return parse_uint(body.get("timestamp"), 64, "timestamp"), parse_signature(body.get("signature"))


def bulk_cancel_scope(market: str | None, timestamp_ms: int) -> bytes:
    """The 32 bytes a bulk cancel signs in place of an order hash."""
    return keccak(f"HDEX cancel-all|{market or '*'}|{timestamp_ms}".encode())


def cancel_after_scope(market: str | None, timeout_ms: int, timestamp_ms: int) -> bytes:
    """The 32 bytes a cancel-after request signs in place of an order hash."""
    return keccak(f"HDEX cancel-after|{market or '*'}|{timeout_ms}|{timestamp_ms}".encode())


def verify_cancel(domain: Domain, maker: str, order_hash: bytes, signature: bytes, field: str = "signature") -> None:
    """Raise unless `signature` is `maker`'s over Cancel(maker, order_hash); errors name `field`."""
    try:
        signer = recover_signer(cancel_digest(domain, Cancel(maker, order_hash)), signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), field) from None
    if signer != maker.lower():
        raise HdexError(ErrorCode.SIGNER_NOT_MAKER, "the cancel is not signed by the order's maker", field)


def check_bulk_timestamp(timestamp_ms: int, previous_ms: int, now_ms: int) -> None:
    """Raise CANCEL_EXPIRED for a stale, future or replayed bulk-cancel (or cancel-after) timestamp."""
    if abs(now_ms - timestamp_ms) > BULK_CANCEL_WINDOW_MS:
        raise HdexError(ErrorCode.CANCEL_EXPIRED, "timestamp must be within 60 s of the server's clock", "timestamp")
    if timestamp_ms <= previous_ms:
        raise HdexError(
            ErrorCode.CANCEL_EXPIRED, "timestamp must be above this wallet's previous request of this kind", "timestamp"
        )


class ReplacePartlyFailed(HdexError):
    """A cancel-replace cancelled the old order, then the engine refused the new one (post-only
    would cross, FOK not filled, ...): the cancel stands; `refused` says why the order was not placed."""

    def __init__(self, cancelled: TrackedOrder, refused: HdexError) -> None:
        super().__init__(
            ErrorCode.REPLACE_PARTLY_FAILED,
            f"the old order was cancelled but the new order was refused: {refused.message}",
            refused.field,
        )
        self.cancelled = cancelled
        self.refused = refused
