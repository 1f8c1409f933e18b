"""The Exchange's ABI (build/contracts/Exchange.json) turned into decoders for its events and for the calldata of the
operator's `settle` and `withdraw` calls.

Decoding is done here with eth-abi from the ABI entries, so the auditor depends on the ABI and the chain only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from auditor.errors import AuditError

DEFAULT_ABI_PATH = Path(__file__).resolve().parents[1] / "build" / "contracts" / "Exchange.json"


@dataclass(frozen=True, slots=True)
class Order:
    """An order as its maker signed it (the EIP-712 `Order` of IExchange.sol, fields in its order)."""

    maker: str
    base_token: str
    quote_token: str
    side: int
    base_amount: int
    limit_price: int
    trigger_price: int
    max_fee_rate: int
    nonce: int
    expiry: int
    flags: int

    def typed_message(self) -> dict[str, Any]:
        """The EIP-712 message, keyed by the signed struct's field names."""
        return {
            "maker": self.maker, "baseToken": self.base_token, "quoteToken": self.quote_token, "side": self.side,
            "baseAmount": self.base_amount, "limitPrice": self.limit_price, "triggerPrice": self.trigger_price,
            "maxFeeRate": self.max_fee_rate, "nonce": self.nonce, "expiry": self.expiry, "flags": self.flags,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Trade:
    """One fill of a batch, as the operator submitted it."""

    maker_index: int
    taker_index: int
    base_amount: int
    quote_amount: int
    maker_fee: int
    taker_fee: int


@dataclass(frozen=True, slots=True)
class SettleCall:
    """The decoded arguments of one `settle` transaction."""

    orders: tuple[Order, ...]
    signatures: tuple[bytes, ...]
    trades: tuple[Trade, ...]


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal as its wallet signed it (the EIP-712 `Withdrawal` of IExchange.sol, fields in its order)."""

    wallet: str
    token: str
    amount: int
    max_fee: int
    recipient: str
    nonce: int
    expiry: int

    def typed_message(self) -> dict[str, Any]:
        """The EIP-712 message, keyed by the signed struct's field names."""
        return {
            "wallet": self.wallet, "token": self.token, "amount": self.amount, "maxFee": self.max_fee,
            "recipient": self.recipient, "nonce": self.nonce, "expiry": self.expiry,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class WithdrawCall:
    """The decoded arguments of one `withdraw` transaction: the signed withdrawal, its signature and the fee the
    operator took."""

    withdrawal: Withdrawal
    signature: bytes
    fee: int


@dataclass(frozen=True, slots=True)
class UndecodableCall:
    """A `settle` or `withdraw` call whose arguments are not in the ABI's standard encoding (the contract may take
    it anyway: Solidity does not check, for one, the padding after a signature's 65 bytes): what it did cannot be
    checked."""

    function: str
    reason: str


# What a transaction sent straight to the Exchange called, as far as the auditor checks it (None: neither).
Call = SettleCall | WithdrawCall | UndecodableCall | None


@dataclass(frozen=True, slots=True)
class Event:
    """One decoded Exchange log, with where it sits on the chain."""

    name: str
    block: int
    log_index: int
    tx_hash: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UndecodedLog:
    """A log of the Exchange that the ABI cannot decode: its topic is unknown, or its fields do not fit the event
    the ABI declares under that topic. Either way the ABI is not the deployed contract's."""

    block: int
    log_index: int
    tx_hash: str
    topic0: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class _EventSpec:
    name: str
    indexed: tuple[tuple[str, str], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]


def _canonical_type(entry: dict[str, Any]) -> str:
    """The ABI type string of an input, tuples spelled out as `(t1,t2,...)`."""
    kind = str(entry["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in entry["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _normalise(kind: str, value: Any) -> Any:
    """Addresses checksummed, bytes as 0x-hex: what the rest of the auditor compares."""
    if kind == "address":
        return to_checksum_address(value)
    if kind == "bytes32":
        return "0x" + bytes(value).hex()
    return value


class ExchangeAbi:
    """Decoders built from the Exchange's ABI entries."""

    def __init__(self, abi: Sequence[dict[str, Any]]) -> None:
        self.entries = list(abi)
        self._events: dict[str, _EventSpec] = {}
        for entry in self.entries:
            if entry["type"] != "event":
                continue
            inputs = entry["inputs"]
            signature = f"{entry['name']}({','.join(_canonical_type(i) for i in inputs)})"
            topic = "0x" + keccak(text=signature).hex()
            self._events[topic] = _EventSpec(
                name=entry["name"],
                indexed=tuple((i["name"], i["type"]) for i in inputs if i["indexed"]),
                data_names=tuple(i["name"] for i in inputs if not i["indexed"]),
                data_types=tuple(_canonical_type(i) for i in inputs if not i["indexed"]),
            )
        self.functions: dict[str, tuple[bytes, list[str]]] = {}  # name -> selector, argument types
        for name in ("settle", "withdraw"):
            function = next((e for e in self.entries if e["type"] == "function" and e["name"] == name), None)
            if function is None:
                raise AuditError(f"the ABI has no {name} function: is it the Exchange's?")
            types = [_canonical_type(i) for i in function["inputs"]]
            self.functions[name] = (keccak(text=f"{name}({','.join(types)})")[:4], types)
        self._named = {selector: name for name, (selector, _) in self.functions.items()}

    @classmethod
    def load(cls, path: Path = DEFAULT_ABI_PATH) -> ExchangeAbi:
        """The ABI of a build artifact (`{"abi": [...]}`) or a bare ABI list."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise AuditError(f"cannot read the Exchange ABI at {path}: {exc}") from None
        abi = data.get("abi") if isinstance(data, dict) else data
        if not isinstance(abi, list):
            raise AuditError(f'{path} holds no ABI: expected a build artifact {{"abi": [...]}} or an ABI list')
        return cls(abi)

    def decode_log(self, log: dict[str, Any]) -> Event | UndecodedLog:
        """The decoded event of a raw log, or an UndecodedLog if the ABI does not know its topic or its layout."""
        topics = [_hex(t) for t in log["topics"]]
        block, log_index, tx_hash = int(log["blockNumber"]), int(log["logIndex"]), _hex(log["transactionHash"])
        topic0 = topics[0] if topics else None
        spec = self._events.get(topic0) if topic0 is not None else None
        if spec is None:
            return UndecodedLog(block, log_index, tx_hash, topic0, "no event of the ABI has this topic")
        try:
            args: dict[str, Any] = {}
            for (name, kind), topic in zip(spec.indexed, topics[1:], strict=True):
                (value,) = decode([kind], bytes.fromhex(topic[2:]))
                args[name] = _normalise(kind, value)
            values = decode(list(spec.data_types), _bytes(log["data"]))
            for name, kind, value in zip(spec.data_names, spec.data_types, values, strict=True):
                args[name] = _normalise(kind, value)
        except (DecodingError, ValueError) as exc:  # zip(strict=True) raises ValueError on a count mismatch
            return UndecodedLog(block, log_index, tx_hash, topic0, f"does not decode as the ABI's {spec.name}: {exc}")
        return Event(spec.name, block, log_index, tx_hash, args)

    def decode_call(self, calldata: bytes) -> Call:
        """The arguments of a `settle` or `withdraw` call, or None if `calldata` is neither."""
        name = self._named.get(calldata[:4])
        if name is None:
            return None
        types = self.functions[name][1]
        try:
            values = decode(types, calldata[4:])
        except (DecodingError, ValueError, OverflowError) as exc:
            return UndecodableCall(name, f"{type(exc).__name__}: {exc}")
        if name == "withdraw":
            (wallet, token, amount, max_fee, recipient, nonce, expiry), signature, fee = values
            withdrawal = Withdrawal(
                to_checksum_address(wallet), to_checksum_address(token), amount, max_fee,
                to_checksum_address(recipient), nonce, expiry,
            )  # fmt: skip
            return WithdrawCall(withdrawal, bytes(signature), fee)
        orders, signatures, trades = values
        return SettleCall(
            orders=tuple(
                Order(to_checksum_address(o[0]), to_checksum_address(o[1]), to_checksum_address(o[2]), *o[3:])
                for o in orders
            ),
            signatures=tuple(bytes(s) for s in signatures),
            trades=tuple(Trade(*t) for t in trades),
        )


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def _bytes(value: Any) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
