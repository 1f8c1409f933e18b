"""EIP-712 approvals of Custody transactions: digest, sign, collect and order signatures.

An owner approves `CustodyTransaction(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)`
under the domain {name: "HDEX Custody", version: "1", chainId, verifyingContract}. The contract wants at least
`threshold` 65-byte signatures ordered by strictly increasing signer address; `collect` builds that list.
This module needs only eth-account: no web3 connection, no brownie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, _hash_eip191_message, encode_typed_data
from eth_utils.address import to_checksum_address

DOMAIN_NAME = "HDEX Custody"
DOMAIN_VERSION = "1"
TRANSACTION_TYPE = "CustodyTransaction(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)"
TRANSACTION_TYPES: dict[str, list[dict[str, str]]] = {
    "CustodyTransaction": [
        {"name": "target", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "data", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


class ApprovalError(ValueError):
    """Approvals cannot be assembled (duplicate signer, not enough signatures)."""


@dataclass(frozen=True)
class CustodyTransaction:
    """One call the owners approve: `target.call{value}(data)` at Custody nonce `nonce` until `deadline`."""

    chain_id: int
    custody: str
    target: str
    value: int
    data: bytes
    nonce: int
    deadline: int

    def typed_data(self) -> dict[str, Any]:
        """The full EIP-712 message, as `eth_signTypedData_v4` takes it."""
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                **TRANSACTION_TYPES,
            },
            "primaryType": "CustodyTransaction",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": to_checksum_address(self.custody),
            },
            "message": {
                "target": to_checksum_address(self.target),
                "value": self.value,
                "data": self.data,
                "nonce": self.nonce,
                "deadline": self.deadline,
            },
        }

    def signable(self) -> SignableMessage:
        return encode_typed_data(full_message=self.typed_data())

    def digest(self) -> bytes:
        """The 32-byte EIP-712 digest the owners sign (equal to `Custody.hashTransaction`)."""
        return bytes(_hash_eip191_message(self.signable()))


@dataclass(frozen=True)
class Approval:
    """One owner's signature over a transaction."""

    signer: str
    signature: bytes


def sign(transaction: CustodyTransaction, private_key: str | bytes) -> Approval:
    """Signs `transaction` with one owner's key."""
    signed = Account.sign_message(transaction.signable(), private_key)
    signer = to_checksum_address(Account.from_key(private_key).address)
    return Approval(signer=signer, signature=bytes(signed.signature))


def collect(approvals: Iterable[Approval], threshold: int | None = None) -> list[bytes]:
    """The signatures ordered by strictly increasing signer address, as `Custody.execute` wants them.

    Raises ApprovalError on a duplicate signer or when fewer than `threshold` approvals were given.
    """
    ordered: dict[int, Approval] = {}
    for approval in approvals:
        key = int(approval.signer, 16)
        if key in ordered:
            raise ApprovalError(f"duplicate approval from {approval.signer}")
        ordered[key] = approval
    if threshold is not None and len(ordered) < threshold:
        raise ApprovalError(f"{len(ordered)} approvals, {threshold} needed")
    return [ordered[key].signature for key in sorted(ordered)]


def sign_all(transaction: CustodyTransaction, private_keys: Iterable[str | bytes]) -> list[bytes]:
    """Signs with every key and returns the signatures in the order the contract wants."""
    return collect(sign(transaction, key) for key in private_keys)
