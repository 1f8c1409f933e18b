"""Signed cancel-side requests for the API tests: a Cancel over an order hash, a cancel-after body."""

from __future__ import annotations

from typing import Any

from backend.chain.devkeys import DEV_KEYS
from backend.signing import Cancel, Domain, cancel_digest, sign_digest
from backend.trading.hosting.host import now_ms
from backend.trading.rules.cancels import cancel_after_scope

from .exchange_fixtures import wallet


def cancel_signature(domain: Domain, order_hash: str | bytes, key_index: int, signer_index: int | None = None) -> str:
    """Dev key `signer_index`'s (default: `key_index`'s) signature over Cancel(wallet(key_index), order_hash)."""
    raw = order_hash if isinstance(order_hash, bytes) else bytes.fromhex(order_hash[2:])
    digest = cancel_digest(domain, Cancel(wallet(key_index), raw))
    signer = key_index if signer_index is None else signer_index
    return "0x" + sign_digest(bytes.fromhex(DEV_KEYS[signer][2:]), digest).hex()


def cancel_after_body(
    domain: Domain,
    key_index: int,
    timeout_ms: int,
    market: str | None = None,
    timestamp: int | None = None,
    signer_index: int | None = None,
) -> dict[str, Any]:
    """The POST /v1/orders/cancel-after body of wallet `key_index`, signed by `signer_index` (default: itself)."""
    timestamp = now_ms() if timestamp is None else timestamp
    scope = cancel_after_scope(market, timeout_ms, timestamp)
    return {
        "maker": wallet(key_index),
        "market": market,
        "timeoutMs": str(timeout_ms),
        "timestamp": str(timestamp),
        "signature": cancel_signature(domain, scope, key_index, signer_index),
    }
