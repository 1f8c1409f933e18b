"""What a custody call does: encode a function call from words, decode calldata against the ABIs we know.

Known ABIs are read from the compiled artifacts (`build/contracts/<Name>.json`): Exchange and Custody in full,
and the ERC-20 standard functions. Calldata whose selector none of them has stays a raw selector: the signer
is told, loudly, that nobody can say what it does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from custody.addresses import checksummed
from custody.errors import TreasuryError
from custody.terminal import printable

ERC20_FUNCTIONS = ("transfer", "approve", "transferFrom")
# (artifact, contract name shown to the signer, functions kept: None for all)
KNOWN_CONTRACTS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("Custody", "Custody", None),
    ("Exchange", "Exchange", None),
    ("TestERC20", "ERC20", ERC20_FUNCTIONS),
)


@dataclass(frozen=True)
class AbiFunction:
    """One function (or custom error) of a known contract."""

    contract: str
    name: str
    inputs: tuple[tuple[str, str], ...]  # (name, canonical type)

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(kind for _, kind in self.inputs)})"

    @property
    def selector(self) -> bytes:
        return keccak(text=self.signature)[:4]


@dataclass(frozen=True)
class DecodedCall:
    """Calldata read back: which function, with which arguments; `function` is None for an unknown selector."""

    selector: bytes
    function: AbiFunction | None
    args: tuple[Any, ...] = ()

    @property
    def known(self) -> bool:
        return self.function is not None

    def arg(self, name: str) -> Any:
        """The argument called `name` (the ABI's parameter name, without a trailing underscore)."""
        assert self.function is not None
        for (param, _), value in zip(self.function.inputs, self.args, strict=True):
            if param.strip("_") == name:
                return value
        raise KeyError(name)

    def words(self) -> list[tuple[str, str]]:
        """(name, value) of each argument, the value as a word: integers in base units, checksummed addresses,
        0x-hex bytes; the name without a trailing underscore."""
        assert self.function is not None
        pairs = zip(self.function.inputs, self.args, strict=True)
        return [(name.strip("_"), _plain(value)) for (name, _), value in pairs]

    def describe(self) -> str:
        """`Contract.function(name=value, ...)`, values in their raw base units."""
        if self.function is None:
            return f"unknown selector 0x{self.selector.hex()}"
        return f"{self.function.contract}.{self.function.name}({self.arguments()})"

    def arguments(self) -> str:
        """`name=value, ...` (`words`)."""
        return ", ".join(f"{name}={value}" for name, value in self.words())


class KnownAbis:
    """Selector -> function of every contract HDEX's treasury calls, and the custom errors they revert with."""

    def __init__(self, functions: Sequence[AbiFunction], errors: Sequence[AbiFunction]) -> None:
        self._functions = {f.selector: f for f in functions}
        self._errors = {e.selector: e for e in errors}
        self._by_name: dict[str, list[AbiFunction]] = {}
        for function in functions:
            self._by_name.setdefault(function.name, []).append(function)

    @classmethod
    def from_artifacts(cls, artifacts_dir: Path) -> KnownAbis:
        """Read the known contracts' ABIs from compiled artifacts."""
        functions: list[AbiFunction] = []
        errors: list[AbiFunction] = []
        for artifact, contract, keep in KNOWN_CONTRACTS:
            path = artifacts_dir / f"{artifact}.json"
            try:
                abi = json.loads(path.read_text(encoding="utf-8"))["abi"]
            except (OSError, ValueError, KeyError) as exc:
                raise TreasuryError(f"cannot read the {contract} ABI from {path}: {exc}") from None
            for entry in abi:
                if entry.get("type") not in ("function", "error") or (keep and entry["name"] not in keep):
                    continue
                item = AbiFunction(contract, entry["name"], tuple((i["name"], _canonical(i)) for i in entry["inputs"]))
                if entry["type"] == "error":
                    errors.append(item)
                elif entry.get("stateMutability") not in ("view", "pure"):
                    functions.append(item)
        return cls(functions, errors)

    def decode(self, data: bytes) -> DecodedCall:
        """The call `data` makes; a raw selector when no known ABI has it or the arguments do not decode."""
        return _decode(self._functions, data)

    def describe(self, data: bytes) -> str:
        """The call `data` makes in one line (`DecodedCall.describe`); no data at all is a plain ether transfer."""
        return self.decode(data).describe() if data else "(plain ether transfer)"

    def decode_error(self, data: bytes) -> str:
        """Revert data in words: `CustodyBelowThreshold(count=1, threshold=2)`, or the raw bytes."""
        decoded = _decode(self._errors, data)
        if decoded.function is None:
            return f"revert data 0x{data.hex()}" if data else "reverted without data"
        text = f"{decoded.function.name}({decoded.arguments()})"
        if decoded.function.name == "CustodyCallFailed":  # the target's own revert data: say what it was
            text += f": {self.decode_error(decoded.arg('reason'))}"
        return text

    def encode(self, function: str, words: Sequence[str]) -> bytes:
        """Calldata for `function` (a name or a full signature such as `setFeeSchedule(uint32,uint32)`) with
        arguments given as words (addresses, decimal integers, true/false, 0x-hex bytes)."""
        candidates = self._by_name.get(function.split("(")[0], [])
        if "(" in function:
            candidates = [c for c in candidates if c.signature == function.replace(" ", "")]
        if not candidates:
            raise TreasuryError(f"no known contract has a function {function}")
        if len({c.signature for c in candidates}) > 1:
            raise TreasuryError(f"{function} is ambiguous: give one of {sorted(c.signature for c in candidates)}")
        chosen = candidates[0]
        if len(words) != len(chosen.inputs):
            raise TreasuryError(f"{chosen.signature} takes {len(chosen.inputs)} arguments, {len(words)} given")
        values = [_parse(word, kind, name) for word, (name, kind) in zip(words, chosen.inputs, strict=True)]
        try:
            return chosen.selector + abi_encode([kind for _, kind in chosen.inputs], values)
        except (EncodingError, ValueError, OverflowError) as exc:  # what `_parse` does not check itself
            raise TreasuryError(f"{chosen.signature}: the arguments cannot be encoded: {exc}") from None


def _decode(table: Mapping[bytes, AbiFunction], data: bytes) -> DecodedCall:
    selector = bytes(data[:4])
    function = table.get(selector)
    if function is None or len(data) < 4:
        return DecodedCall(selector, None)
    types = [kind for _, kind in function.inputs]
    try:
        args = tuple(abi_decode(types, bytes(data[4:]), strict=True))
    except (DecodingError, ValueError, OverflowError):
        return DecodedCall(selector, None)
    # Extra bytes after the arguments could carry anything a target reads with msg.data: refuse to call it known.
    if abi_encode(types, list(args)) != bytes(data[4:]):
        return DecodedCall(selector, None)
    return DecodedCall(selector, function, args)


def _canonical(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical(c) for c in param["components"])
        return f"({inner}){kind.removeprefix('tuple')}"
    return kind


def _parse(word: str, kind: str, name: str) -> Any:
    try:
        if kind == "address":
            return checksummed(word)
        if kind.startswith(("uint", "int")):  # its range is eth-abi's to check, as it encodes
            return _integer(word)
        if kind == "bool":
            if word.lower() not in ("true", "false"):
                raise ValueError("not true/false")
            return word.lower() == "true"
        if kind.startswith("bytes"):
            raw = bytes.fromhex(word.removeprefix("0x"))
            size = kind.removeprefix("bytes")
            if size and len(raw) != int(size):  # padded, a short one would silently name another value
                raise ValueError(f"{len(raw)} bytes given: {kind} takes exactly {size}")
            return raw
        if kind == "string":
            return word
    except ValueError as exc:
        raise TreasuryError(f"argument {name} ({kind}): {word!r} is invalid: {exc}") from None
    raise TreasuryError(f"argument {name}: type {kind} cannot be given on the command line; pass --data")


def _integer(word: str) -> int:
    """A whole number (decimal, or 0x-hex). `1.5` here is an amount a person wrote in whole tokens: say what the
    contract takes instead of Python's `invalid literal for int()`."""
    try:
        return int(word, 0)
    except ValueError:
        raise ValueError(
            "not a whole number: give integers in base units, without a decimal point, exponent or separators "
            "(1.5 of a 6-decimal token is 1500000)"
        ) from None


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if isinstance(value, str):  # a string argument: calldata from a file, revert data from any contract
        return printable(value)
    return str(value)
