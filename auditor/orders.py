"""Order and withdrawal digests and signatures, recomputed with eth-account's typed-data encoder (never HDEX's
signing code).

The domain and the `Order` and `Withdrawal` types are those IExchange.sol documents; the auditor checks its domain
separator against the contract's own before trusting any digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from eth_account.messages import encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_keys.main import KeyAPI
from eth_utils.crypto import keccak

from auditor.abi import Order, Withdrawal
from auditor.state import Check

DOMAIN_NAME = "HDEX Exchange"
DOMAIN_VERSION = "1"
EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
# `Order(address maker,address baseToken,...)` exactly as IExchange.sol spells it.
ORDER_TYPE = [
    {"name": name, "type": kind}
    for name, kind in (
        ("maker", "address"), ("baseToken", "address"), ("quoteToken", "address"), ("side", "uint8"),
        ("baseAmount", "uint128"), ("limitPrice", "uint256"), ("triggerPrice", "uint256"), ("maxFeeRate", "uint32"),
        ("nonce", "uint64"), ("expiry", "uint64"), ("flags", "uint32"),
    )
]  # fmt: skip
WITHDRAWAL_TYPE = [
    {"name": name, "type": kind}
    for name, kind in (
        ("wallet", "address"), ("token", "address"), ("amount", "uint256"), ("maxFee", "uint256"),
        ("recipient", "address"), ("nonce", "uint64"), ("expiry", "uint64"),
    )
]  # fmt: skip
# OrderLib's flags (the auditor imports nothing of HDEX's server, so they are spelt out here as in IExchange).
FLAG_KIND_MASK, FLAG_KIND_STOP, FLAG_POST_ONLY, FLAG_FILL_OR_KILL, FLAG_OPERATOR_TRIGGER = 3, 2, 4, 8, 16
KNOWN_FLAGS = FLAG_KIND_MASK | FLAG_POST_ONLY | FLAG_FILL_OR_KILL | FLAG_OPERATOR_TRIGGER
# secp256k1's group order: OpenZeppelin's ECDSA refuses s above half of it (malleable signatures).
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_keys = KeyAPI()


class ContractWallets(Protocol):
    """What the chain says of contract wallets, which sign through EIP-1271 (`ChainReader`)."""

    def has_code(self, address: str, block: int) -> bool:
        """Whether `address` holds code after `block`."""

    def accepts(self, wallet: str, digest: str, signature: bytes, block: int) -> bool:
        """Whether contract `wallet` answers `isValidSignature(digest, signature)` with the magic value, as the
        Exchange asks it, in the state after `block`."""


@dataclass(frozen=True, slots=True)
class Domain:
    chain_id: int
    exchange: str

    def typed_data(self, signed: Order | Withdrawal) -> dict[str, Any]:
        primary, fields = ("Order", ORDER_TYPE) if isinstance(signed, Order) else ("Withdrawal", WITHDRAWAL_TYPE)
        return {
            "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, primary: fields},
            "primaryType": primary,
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.exchange,
            },
            "message": signed.typed_message(),
        }

    def separator(self) -> bytes:
        """The EIP-712 domain separator (the encoded message's header)."""
        return bytes(encode_typed_data(full_message=self.typed_data(_ANY_ORDER)).header)

    def digest(self, signed: Order | Withdrawal) -> str:
        """The digest its signer signs: keccak256(0x1901 || domainSeparator || hashStruct(signed)), 0x-hex."""
        message = encode_typed_data(full_message=self.typed_data(signed))
        return "0x" + keccak(b"\x19\x01" + bytes(message.header) + bytes(message.body)).hex()


_ANY_ORDER = Order("0x" + "00" * 20, "0x" + "00" * 20, "0x" + "00" * 20, 0, 0, 0, 0, 0, 0, 0, 0)


class SignatureCheck(Enum):
    """What a signature says about its signer (an order's maker, a withdrawal's wallet), judged off-chain."""

    RECOVERS_TO_SIGNER = "recovers to the signer"
    OTHER_SIGNER = "recovers to another address or to none"
    MALFORMED = "malformed (length, v or high s)"


def recover(digest: str, signature: bytes) -> str | None:
    """The address an ECDSA signature (65-byte r,s,v or 64-byte EIP-2098) recovers to over `digest`, or None
    where OpenZeppelin's ECDSA would refuse it (bad length, v not 27/28, s in the upper half)."""
    if len(signature) == 65:
        r, s, v = int.from_bytes(signature[:32]), int.from_bytes(signature[32:64]), signature[64]
    elif len(signature) == 64:
        r, vs = int.from_bytes(signature[:32]), int.from_bytes(signature[32:])
        s, v = vs & ((1 << 255) - 1), 27 + (vs >> 255)
    else:
        return None
    if v not in (27, 28) or s > _SECP256K1_N // 2:
        return None
    try:
        public_key = _keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(bytes.fromhex(digest[2:]))
    except (BadSignature, ValueError):
        return None
    return str(public_key.to_checksum_address())


def check_signature(signer: str, digest: str, signature: bytes) -> SignatureCheck:
    """Whether `signature` over `digest` is `signer`'s as an EOA would sign it."""
    recovered = recover(digest, signature)
    if recovered is None:
        return SignatureCheck.MALFORMED
    return SignatureCheck.RECOVERS_TO_SIGNER if recovered == signer else SignatureCheck.OTHER_SIGNER


def judge_signature(
    check: Check, wallets: ContractWallets, what: str, signer: str, digest: str, signature: bytes
) -> bool:
    """Whether `what` (an order or a withdrawal, by its `digest`) stands signed by `signer`, as the Exchange
    decides it: the signature recovers to `signer`, or `signer` is a contract wallet (code at the event's block) that
    accepts it through EIP-1271. The wallet is asked in the states after the block before and after the event's own
    (a node answers for whole blocks, and the transaction ran between them); refused in both, it is a failing
    `signature-invalid`, as is a signature that recovers to someone else."""
    verdict = check_signature(signer, digest, signature)
    block = check.event.block
    if verdict is SignatureCheck.RECOVERS_TO_SIGNER:
        check.state.count("signatures_recovered")
        return True
    if not wallets.has_code(signer, block):
        check.fail("signature-invalid", f"{what}'s signature {verdict.value}, not to {signer}")
        return False
    if wallets.accepts(signer, digest, signature, block - 1) or wallets.accepts(signer, digest, signature, block):
        check.state.count("signatures_eip1271")
        return True
    check.fail("signature-invalid", f"{what}'s signature is refused by contract wallet {signer} (EIP-1271) both "
                                    f"before and after block {block}")  # fmt: skip
    return False
