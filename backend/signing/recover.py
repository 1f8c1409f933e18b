"""Signature recovery with `coincurve`: 65-byte (r, s, v) signatures, low-s only, like the contract."""

from __future__ import annotations

import coincurve

from backend.errors import CodedError, ErrorCode
from backend.signing.typed_data import keccak

# secp256k1 group order; a signature with s above half of it is the malleable twin of another.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = SECP256K1_N // 2


class SignatureError(CodedError, ValueError):
    """The bytes are not a usable signature (length, v, r or s out of range, high s, no key)."""

    CODE = ErrorCode.INVALID_SIGNATURE


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The lowercase 0x-address whose key signed `digest`.

    `v` may be 27/28 (Ethereum style) or 0/1. Raises `SignatureError` for anything the Exchange
    contract would refuse: wrong length, bad v, r or s zero or out of range, s in the upper half.
    """
    if len(signature) != 65:
        raise SignatureError("a signature is 65 bytes: r (32), s (32), v (1)")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise SignatureError("v must be 27 or 28 (or 0 or 1)")
    if not 0 < r < SECP256K1_N or not 0 < s <= _HALF_N:
        raise SignatureError("r or s out of range (s must be in the lower half order)")
    try:
        public_key = coincurve.PublicKey.from_signature_and_message(signature[:64] + bytes((v,)), digest, hasher=None)
    except ValueError as exc:
        raise SignatureError("no public key recovers from this signature") from exc
    return "0x" + keccak(public_key.format(compressed=False)[1:])[-20:].hex()


def sign_digest(private_key: bytes, digest: bytes) -> bytes:
    """A 65-byte signature (v = 27/28) of `digest`; libsecp256k1 always produces low s."""
    raw = coincurve.PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    return raw[:64] + bytes((raw[64] + 27,))
