"""The auditor's running state: what it rebuilt so far, what it found, and the series it plots.

Everything here is plain data that round-trips through JSON (integers as decimal strings), so a checkpoint
can hold it and `--resume` can carry on from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from auditor.abi import Event

ETHER = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True, slots=True)
class Finding:
    """One discrepancy (`failing`) or note: what, where, and the numbers that show it."""

    kind: str
    message: str
    block: int | None = None
    tx_hash: str | None = None
    failing: bool = True
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class Point:
    """The state after one block that moved balances: total owed and quote volume traded, per token."""

    block: int
    owed: dict[str, int]
    volume: dict[str, int]


@dataclass
class AuditState:
    """Balances per (wallet, token), fills and verified signatures per order hash, the fee schedule in force,
    what revokes orders (cancels, used nonces, nonce floors, exits), the withdrawals paid, findings and counters;
    `last_block` is the last block fully applied."""

    last_block: int
    balances: dict[tuple[str, str], int] = field(default_factory=dict)
    fills: dict[str, int] = field(default_factory=dict)
    verified: set[str] = field(default_factory=set)
    fee_schedule: tuple[int, int] = (0, 0)
    # Order hashes their maker cancelled on-chain (OrderCancelledByMaker, or cancelled before the range).
    cancelled: set[str] = field(default_factory=set)
    # (maker, nonce) pairs used by an order that traded or was cancelled in the range.
    used_nonces: set[tuple[str, int]] = field(default_factory=set)
    # Per wallet: its nonce floor, and when its exit becomes withdrawable (0: no exit). A wallet absent here
    # holds what it held before the range.
    nonce_floors: dict[str, int] = field(default_factory=dict)
    exits: dict[str, int] = field(default_factory=dict)
    # Hashes of the withdrawals paid out in the range (`Withdrawn`): each may be paid once.
    withdrawals: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    series: list[Point] = field(default_factory=list)
    # Running sum of `balances` per token (derived, so never serialized).
    totals: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.totals = self.owed()

    def count(self, what: str, by: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + by

    def find(self, finding: Finding) -> None:
        self.findings.append(finding)

    def owed(self) -> dict[str, int]:
        """The sum of balances owed per token."""
        totals: dict[str, int] = {}
        for (_, token), amount in self.balances.items():
            totals[token] = totals.get(token, 0) + amount
        return totals

    def to_json(self) -> dict[str, Any]:
        return {
            "last_block": self.last_block,
            "balances": [[w, t, str(a)] for (w, t), a in sorted(self.balances.items())],
            "fills": {h: str(f) for h, f in self.fills.items()},
            "verified": sorted(self.verified),
            "fee_schedule": list(self.fee_schedule),
            "cancelled": sorted(self.cancelled),
            "used_nonces": [[m, str(n)] for m, n in sorted(self.used_nonces)],
            "nonce_floors": _strs(self.nonce_floors),
            "exits": _strs(self.exits),
            "withdrawals": sorted(self.withdrawals),
            "findings": [asdict(f) for f in self.findings],
            "counts": self.counts,
            "series": [[p.block, _strs(p.owed), _strs(p.volume)] for p in self.series],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditState:
        maker_rate, taker_rate = data["fee_schedule"]
        return cls(
            last_block=int(data["last_block"]),
            balances={(w, t): int(a) for w, t, a in data["balances"]},
            fills={h: int(f) for h, f in data["fills"].items()},
            verified=set(data["verified"]),
            fee_schedule=(int(maker_rate), int(taker_rate)),
            cancelled=set(data["cancelled"]),
            used_nonces={(m, int(n)) for m, n in data["used_nonces"]},
            nonce_floors=_ints(data["nonce_floors"]),
            exits=_ints(data["exits"]),
            withdrawals=set(data["withdrawals"]),
            findings=[Finding(**f) for f in data["findings"]],
            counts={k: int(v) for k, v in data["counts"].items()},
            series=[Point(int(b), _ints(o), _ints(v)) for b, o, v in data["series"]],
        )


def _strs(values: dict[str, int]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items()}


def _ints(values: dict[str, str]) -> dict[str, int]:
    return {k: int(v) for k, v in values.items()}


class Check:
    """Findings about one event of a settlement or a withdrawal."""

    def __init__(self, state: AuditState, event: Event) -> None:
        self.state, self.event = state, event

    def fail(self, kind: str, message: str, **details: str) -> None:
        self.state.find(Finding(kind, message, self.event.block, self.event.tx_hash, details=details))

    def note(self, kind: str, message: str) -> None:
        self.state.find(Finding(kind, message, self.event.block, self.event.tx_hash, failing=False))
