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

from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import SignableMessage, _hash_eip191_message, encode_typed_data
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from custody.errors import TreasuryError

DOMAIN_NAME = "HDEX Custody"
DOMAIN_VERSION = "1"
TRANSACTION_TYPE = "CustodyTransaction(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)"
DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
TRANSACTION_TYPES: dict[str, list[dict[str, str]]] = {
    "CustodyTransaction": [
        {"name": "target", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "data", "type": "bytes"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


class ApprovalError(TreasuryError):
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

    def domain_hash(self) -> bytes:
        """The EIP-712 domain separator, encoded by hand from the type string (`Custody.domainSeparator`)."""
        return keccak(
            abi_encode(
                ["bytes32", "bytes32", "bytes32", "uint256", "address"],
                [
                    keccak(text=DOMAIN_TYPE),
                    keccak(text=DOMAIN_NAME),
                    keccak(text=DOMAIN_VERSION),
                    self.chain_id,
                    to_checksum_address(self.custody),
                ],
            )
        )

    def message_hash(self) -> bytes:
        """The EIP-712 struct hash of the message, encoded by hand as `Custody._hashTransaction` does."""
        return keccak(
            abi_encode(
                ["bytes32", "address", "uint256", "bytes32", "uint256", "uint256"],
                [
                    keccak(text=TRANSACTION_TYPE),
                    to_checksum_address(self.target),
                    self.value,
                    keccak(self.data),
                    self.nonce,
                    self.deadline,
                ],
            )
        )

    def digest(self) -> bytes:
        """The 32-byte EIP-712 digest the owners sign (equal to `Custody.hashTransaction`), by our own encoder."""
        return keccak(b"\x19\x01" + self.domain_hash() + self.message_hash())

    def typed_data_digest(self) -> bytes:
        """The same digest from eth-account's typed-data encoder: an independent second implementation."""
        return bytes(_hash_eip191_message(self.signable()))


@dataclass(frozen=True)
class Approval:
    """One owner's signature over a transaction."""

    signer: str
    signature: bytes


# secp256k1's group order: Custody (OpenZeppelin's ECDSA) takes s only in its lower half, and v only as 27/28
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def recover(transaction: CustodyTransaction, signature: bytes) -> str:
    """The checksummed address whose key made `signature` over the transaction's digest. ApprovalError for a
    signature the contract would refuse although it recovers (its high-s twin, v 0/1: a copy someone swapped
    in would displace the owner's good one and make `execute` revert) or one of the wrong length."""
    if len(signature) != 65:
        raise ApprovalError(f"a signature is 65 bytes (r, s, v), not {len(signature)}")
    if signature[64] not in (27, 28) or not 0 < int.from_bytes(signature[32:64], "big") <= _SECP256K1_N // 2:
        raise ApprovalError("the signature is not in the form Custody takes (v 27/28, s in the lower half)")
    return to_checksum_address(Account._recover_hash(transaction.digest(), signature=signature))


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
