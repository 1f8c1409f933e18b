"""EIP-712 orders and withdrawals for the Exchange, signed with eth-account (the way wallets sign them)."""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace
from typing import Any

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import keccak, to_checksum_address

BUY, SELL = 0, 1
KIND_LIMIT, KIND_MARKET, KIND_STOP_LIMIT, KIND_STOP_MARKET = 0, 1, 2, 3
FLAG_POST_ONLY = 4
FLAG_FILL_OR_KILL = 8
FLAG_OPERATOR_TRIGGER = 16
FLAG_UNKNOWN = 32
PRICE_SCALE = 10**18
FEE_RATE_SCALE = 10**6
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

ORDER_TYPE = (
    "Order(address maker,address baseToken,address quoteToken,uint8 side,uint128 baseAmount,uint256 limitPrice,"
    "uint256 triggerPrice,uint32 maxFeeRate,uint64 nonce,uint64 expiry,uint32 flags)"
)
CANCEL_TYPE = "Cancel(address maker,bytes32 orderHash)"
WITHDRAWAL_TYPE = (
    "Withdrawal(address wallet,address token,uint256 amount,uint256 maxFee,address recipient,uint64 nonce,"
    "uint64 expiry)"
)
DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _fields(type_string: str) -> list[dict[str, str]]:
    inner = type_string[type_string.index("(") + 1 : -1]
    return [{"name": f.split(" ")[1], "type": f.split(" ")[0]} for f in inner.split(",")]


def typehash(type_string: str) -> bytes:
    return keccak(text=type_string)


@dataclass(frozen=True)
class Order:
    maker: str
    baseToken: str
    quoteToken: str
    side: int
    baseAmount: int
    limitPrice: int
    triggerPrice: int = 0
    maxFeeRate: int = 10_000
    nonce: int = 1
    expiry: int = 2**40
    flags: int = 0

    def as_tuple(self) -> tuple[Any, ...]:
        return astuple(self)

    def with_(self, **changes: Any) -> Order:
        return replace(self, **changes)


@dataclass(frozen=True)
class Withdrawal:
    wallet: str
    token: str
    amount: int
    maxFee: int
    recipient: str
    nonce: int = 1
    expiry: int = 2**40

    def as_tuple(self) -> tuple[Any, ...]:
        return astuple(self)


def domain(chain_id: int, exchange: str) -> dict[str, Any]:
    return {
        "name": "HDEX Exchange",
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(str(exchange)),
    }


def _typed(primary: str, type_string: str, message: dict[str, Any], chain_id: int, exchange: str) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, primary: _fields(type_string)},
        "primaryType": primary,
        "domain": domain(chain_id, exchange),
        "message": message,
    }


def order_typed_data(order: Order, chain_id: int, exchange: str) -> dict[str, Any]:
    message = {k: getattr(order, k) for k in Order.__dataclass_fields__}
    for k in ("maker", "baseToken", "quoteToken"):
        message[k] = to_checksum_address(str(message[k]))
    return _typed("Order", ORDER_TYPE, message, chain_id, exchange)


def withdrawal_typed_data(w: Withdrawal, chain_id: int, exchange: str) -> dict[str, Any]:
    message = {k: getattr(w, k) for k in Withdrawal.__dataclass_fields__}
    for k in ("wallet", "token", "recipient"):
        message[k] = to_checksum_address(str(message[k]))
    return _typed("Withdrawal", WITHDRAWAL_TYPE, message, chain_id, exchange)


def digest(typed: dict[str, Any]) -> bytes:
    return bytes(_hash_eip191_message(encode_typed_data(full_message=typed)))


def sign_typed(typed: dict[str, Any], key: str) -> bytes:
    return bytes(Account.sign_message(encode_typed_data(full_message=typed), key).signature)


def sign_order(order: Order, key: str, chain_id: int, exchange: str) -> bytes:
    return sign_typed(order_typed_data(order, chain_id, exchange), key)


def order_hash(order: Order, chain_id: int, exchange: str) -> bytes:
    return digest(order_typed_data(order, chain_id, exchange))


def sign_withdrawal(w: Withdrawal, key: str, chain_id: int, exchange: str) -> bytes:
    return sign_typed(withdrawal_typed_data(w, chain_id, exchange), key)


def high_s(signature: bytes) -> bytes:
    """The malleable twin of a signature: s -> n - s, v flipped. ecrecover accepts it; the contract must not."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def trade(maker_index: int, taker_index: int, base: int, quote: int, maker_fee: int = 0, taker_fee: int = 0) -> tuple:
    return (maker_index, taker_index, base, quote, maker_fee, taker_fee)


def compact(signature: bytes) -> bytes:
    """The EIP-2098 64-byte form (r, yParity << 255 | s) of a 65-byte signature."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (((v - 27) << 255) | s).to_bytes(32, "big")
