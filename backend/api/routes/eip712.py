"""`GET /v1/eip712`: the domain and types every client signs with, and per primary type the exact
document each signer library takes unchanged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.api.routes.dependencies import TradingDep
from backend.api.schemas import ERROR, Eip712, documented
from backend.errors import ErrorCode, HdexError
from backend.signing.typed_data import PRIMARY_TYPES, domain_json, eip712_types, signing_forms

router = APIRouter(prefix="/v1", tags=["signing"])


@router.get(
    "/eip712", response_model=None, responses={**documented(Eip712, "the domain, types and signing forms"), 503: ERROR}
)
def eip712(trading: TradingDep) -> dict[str, Any]:
    """`domain` and `types` (EIP712Domain, Order, Cancel, Withdrawal), and `typedData`: for each of
    Order, Cancel and Withdrawal, a form each signer takes as is (add your message):

    - `typedData.<T>.signTypedDataV4` (`types` with EIP712Domain and T only, `primaryType`, `domain`):
      `{...form, "message": m}` is the `eth_signTypedData_v4` document (MetaMask, anvil, and viem
      `signTypedData`) and eth-account's `encode_typed_data(full_message=...)`.
    - `typedData.<T>.ethers` (`types` with T only): ethers v6 `signer.signTypedData(form.domain,
      form.types, m)`; ethers refuses EIP712Domain or any unused type in `types`.

    The Order's hash (its EIP-712 digest) is its id everywhere. A bulk cancel signs `Cancel` with
    `orderHash = keccak256("HDEX cancel-all|<market or *>|<timestamp ms>")`.
    """
    if trading.domain is None:
        raise HdexError(ErrorCode.NOT_DEPLOYED, "no Exchange contract is deployed on this chain yet")
    return {
        "domain": domain_json(trading.domain),
        "types": eip712_types(),
        "primaryTypes": list(PRIMARY_TYPES),
        "typedData": signing_forms(trading.domain),
        "bulkCancelScope": "keccak256(utf8('HDEX cancel-all|' + (market or '*') + '|' + timestampMs))",
    }
