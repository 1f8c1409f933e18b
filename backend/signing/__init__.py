"""EIP-712 signing for HDEX orders, cancels and withdrawals: fast, and byte-identical to eth-account.

`typed_data` builds digests from precomputed type hashes and direct byte packing; `recover` turns a
65-byte signature back into the signer's address with `coincurve`, refusing high-s signatures the
way the Exchange contract does. Nothing here touches the network or the database.
"""

from backend.signing.recover import SignatureError, recover_signer, sign_digest
from backend.signing.typed_data import (
    CANCEL_TYPE,
    ORDER_TYPE,
    WITHDRAWAL_TYPE,
    Cancel,
    Domain,
    Order,
    Withdrawal,
    cancel_digest,
    order_digest,
    typed_data_json,
    withdrawal_digest,
)

__all__ = [
    "CANCEL_TYPE",
    "ORDER_TYPE",
    "WITHDRAWAL_TYPE",
    "Cancel",
    "Domain",
    "Order",
    "SignatureError",
    "Withdrawal",
    "cancel_digest",
    "order_digest",
    "recover_signer",
    "sign_digest",
    "typed_data_json",
    "withdrawal_digest",
]
