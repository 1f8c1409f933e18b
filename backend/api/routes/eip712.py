"""`GET /v1/eip712`: the domain and types every client signs with (eth_signTypedData_v4 shape)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.api.errors import ErrorCode, HdexError
from backend.api.routes.dependencies import TradingDep
from backend.signing.typed_data import domain_json, eip712_types

router = APIRouter(prefix="/v1", tags=["signing"])


@router.get("/eip712")
def eip712(trading: TradingDep) -> dict[str, Any]:
    """`domain` and `types` (EIP712Domain, Order, Cancel, Withdrawal), ready for eth_signTypedData_v4.

    The Order's hash (its EIP-712 digest) is its id everywhere. A bulk cancel signs `Cancel` with
    `orderHash = keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")`.
    """
    if trading.domain is None:
        raise HdexError(ErrorCode.NOT_DEPLOYED, "no Exchange contract is deployed on this chain yet")
    return {
        "domain": domain_json(trading.domain),
        "types": eip712_types(),
        "primaryTypes": ["Order", "Cancel", "Withdrawal"],
        "bulkCancelScope": "keccak256(utf8('HDEX cancel-all|' + (market or '*') + '|' + timestampMs))",
    }
