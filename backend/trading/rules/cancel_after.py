"""Cancel-after, a dead-man switch: cancel a wallet's open orders unless it refreshes in time.

A wallet arms it with a signed `POST /v1/orders/cancel-after` for one market or all (`*`), with a
timeout in milliseconds: the deadline becomes now + timeout. Each call replaces the deadline of that
(wallet, scope), so a bot that calls it every few seconds (a heartbeat) keeps its orders; when it
goes silent past the deadline, the engine host cancels every open order of the wallet in that
scope with reason `cancel-after`, and the switch is off until armed again. Timeout 0 turns it off.
A halted market refuses cancels: such a deadline stays due and fires when the market reopens.
(Binance `countdownCancelAll`, Hyperliquid `scheduleCancel`.)

This module is the pure part: the deadlines and their rules. The engine host runs them on its own
event loop (a timer for the earliest deadline) and persists each change with its group commit, so a
deadline survives a restart and one that passed while the process was down fires at start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.errors import ErrorCode, HdexError

MIN_TIMEOUT_MS = 5_000
MAX_TIMEOUT_MS = 86_400_000  # one day
# A passed deadline whose orders could not all be cancelled (a halted market refuses cancels) stays
# due: the host tries again after RETRY_MS and at every sync, the one that reopens the market included.
RETRY_MS = 1_000
ALL_MARKETS = "*"
REASON = "cancel-after"


def check_timeout(timeout_ms: int) -> None:
    """Raise TIMEOUT_OUT_OF_RANGE unless `timeout_ms` is 0 (off) or within [5 s, 1 day]."""
    if timeout_ms and not MIN_TIMEOUT_MS <= timeout_ms <= MAX_TIMEOUT_MS:
        raise HdexError(
            ErrorCode.TIMEOUT_OUT_OF_RANGE,
            f"must be 0 (off) or between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS} milliseconds",
            "timeoutMs",
        )


def scope_of(market: str | None) -> str:
    return market or ALL_MARKETS


@dataclass(slots=True)
class Deadline:
    """One (wallet, scope)'s switch: `deadline_ms` 0 when off; `timestamp_ms` of the last signed
    request, kept even when off so a captured request cannot be replayed."""

    wallet: str  # EIP-55
    scope: str  # a market name or "*"
    deadline_ms: int
    timestamp_ms: int

    @property
    def market(self) -> str | None:
        return None if self.scope == ALL_MARKETS else self.scope

    def row(self) -> dict[str, Any]:
        """Its row in `cancel_after` (backend.db.models.trading.CancelAfter)."""
        return {
            "wallet": self.wallet,
            "scope": self.scope,
            "deadline_ms": self.deadline_ms,
            "timestamp_ms": self.timestamp_ms,
        }


class Deadlines:
    """Every (wallet, scope)'s switch. Few wallets arm one, so the earliest is found by a scan."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Deadline] = {}

    def load(self, entries: Iterable[Deadline]) -> None:
        """Take the stored switches (at start)."""
        for entry in entries:
            self._entries[(entry.wallet, entry.scope)] = entry

    def last_timestamp(self, wallet: str, market: str | None) -> int:
        """The timestamp of the last accepted request for (wallet, scope); 0 if none."""
        entry = self._entries.get((wallet, scope_of(market)))
        return 0 if entry is None else entry.timestamp_ms

    def set(self, wallet: str, market: str | None, timeout_ms: int, timestamp_ms: int, now_ms: int) -> Deadline:
        """Arm, refresh or (timeout 0) turn off (wallet, scope)'s switch; returns the new state."""
        entry = Deadline(wallet, scope_of(market), now_ms + timeout_ms if timeout_ms else 0, timestamp_ms)
        self._entries[(wallet, entry.scope)] = entry
        return entry

    def due(self, now_ms: int) -> list[Deadline]:
        """The switches whose deadline has passed."""
        return [e for e in self._entries.values() if 0 < e.deadline_ms <= now_ms]

    def next_deadline(self) -> int | None:
        """The earliest armed deadline, or None."""
        return min((e.deadline_ms for e in self._entries.values() if e.deadline_ms), default=None)

    def get(self, wallet: str, market: str | None) -> Deadline | None:
        return self._entries.get((wallet, scope_of(market)))
