"""Decode raw Exchange logs with the contract's ABI into JSON-safe arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    name: str
    args: dict[str, str | bool]  # ints as decimal strings, addresses checksummed, bytes as 0x-hex


@dataclass(frozen=True, slots=True)
class _EventSpec:
    name: str
    indexed: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]


class EventDecoder:
    """topic0 -> event; unknown topics decode to None (another contract's or a newer event)."""

    def __init__(self, abi: list[dict[str, Any]]) -> None:
        self._specs: dict[str, _EventSpec] = {}
        for item in abi:
            if item.get("type") != "event" or item.get("anonymous"):
                continue
            types = ",".join(i["type"] for i in item["inputs"])
            topic = "0x" + keccak(text=f"{item['name']}({types})").hex()
            self._specs[topic] = _EventSpec(
                item["name"],
                tuple((i["name"], i["type"]) for i in item["inputs"] if i["indexed"]),
                tuple((i["name"], i["type"]) for i in item["inputs"] if not i["indexed"]),
            )

    def topic_of(self, name: str) -> str:
        return next(topic for topic, spec in self._specs.items() if spec.name == name)

    def decode(self, log: dict[str, Any]) -> DecodedEvent | None:
        topics = log["topics"]
        spec = self._specs.get(topics[0].lower()) if topics else None
        if spec is None:
            return None
        args: dict[str, str | bool] = {}
        for (name, kind), topic in zip(spec.indexed, topics[1:], strict=True):
            (value,) = abi_decode([kind], bytes.fromhex(topic[2:]))
            args[name] = _json_safe(kind, value)
        values = abi_decode([kind for _, kind in spec.data], bytes.fromhex(log["data"][2:]))
        for (name, kind), value in zip(spec.data, values, strict=True):
            args[name] = _json_safe(kind, value)
        return DecodedEvent(spec.name, args)


def _json_safe(kind: str, value: Any) -> str | bool:
    if kind == "address":
        return to_checksum_address(value)
    if kind == "bool":
        return bool(value)
    if kind.startswith(("uint", "int")):
        return str(value)
    if kind.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return str(value)
