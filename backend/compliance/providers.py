"""Screening providers: each says, for a batch of lower-case addresses, which ones it flags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi.abi import decode, encode
from eth_utils.crypto import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.compliance.store import deny_list_version
from backend.db.models import DenyListEntry, SanctionedAddress, SanctionsList
from backend.errors import CodedError, ErrorCode

RpcCall = Callable[[str, list[Any]], Any]
_IS_SANCTIONED = keccak(text="isSanctioned(address)")[:4]


class ProviderUnavailable(CodedError, RuntimeError):
    """A provider could not answer (e.g. the oracle's RPC is down): screening fails closed."""

    CODE = ErrorCode.SCREENING_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class Hit:
    provider: str
    list_version: str
    reason: str


class Provider(Protocol):
    name: str

    def version(self, session: Session) -> str:
        """The version of the data this provider decides with (recorded in the audit)."""
        ...

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        """The flagged addresses among `addresses` (lower case)."""
        ...


class SanctionsListProvider:
    """The active imported version of every sanctions list source."""

    name = "sanctions-list"

    def version(self, session: Session) -> str:
        active = session.execute(
            select(SanctionsList.source, SanctionsList.version)
            .where(SanctionsList.active)
            .order_by(SanctionsList.source)
        ).all()
        return ",".join(f"{source}@{version}" for source, version in active) or "none"

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        rows = session.execute(
            select(SanctionedAddress.address, SanctionsList.source, SanctionsList.version)
            .join(SanctionsList, SanctionsList.id == SanctionedAddress.list_id)
            .where(SanctionsList.active, SanctionedAddress.address.in_(list(addresses)))
        )
        return {
            address: Hit(self.name, f"{source}@{version}", f"listed on {source}")
            for address, source, version in rows
        }


class DenyListProvider:
    """The operator's own deny-list."""

    name = "deny-list"

    def version(self, session: Session) -> str:
        """The change counter every deny-list change raises in its own transaction (`store.deny_list_version`):
        the entries' count and latest time stayed put when one went out and another came in within a second
        (SQLite keeps seconds), and screeners kept their cached "clear" for the new entry's address."""
        return str(deny_list_version(session))

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        rows = session.scalars(select(DenyListEntry).where(DenyListEntry.address.in_(list(addresses))))
        return {row.address: Hit(self.name, "current", f"deny-listed: {row.reason}") for row in rows}


class OracleProvider:
    """An on-chain sanctions oracle with `isSanctioned(address) returns (bool)` (Chainalysis interface)."""

    name = "oracle"

    def __init__(self, call: RpcCall, oracle: str) -> None:
        self._call = call
        self.oracle = oracle

    def version(self, session: Session) -> str:
        return f"{self.oracle}@latest"

    def check(self, session: Session, addresses: Sequence[str]) -> dict[str, Hit]:
        flagged = {}
        for address in addresses:
            data = "0x" + (_IS_SANCTIONED + encode(["address"], [address])).hex()
            try:
                result = self._call("eth_call", [{"to": self.oracle, "data": data}, "latest"])
                (sanctioned,) = decode(["bool"], bytes.fromhex(str(result)[2:]))
            except Exception as exc:  # any transport or decoding fault: we cannot vouch for the address
                raise ProviderUnavailable(f"sanctions oracle {self.oracle} unavailable: {exc}") from None
            if sanctioned:
                flagged[address] = Hit(self.name, self.version(session), "flagged by the on-chain oracle")
        return flagged
