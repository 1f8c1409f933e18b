"""CUSTODY_CALL_SCHEDULED: a call scheduled through the Custody timelock that may still run.

Owners schedule changes routinely, but one nobody at the exchange expected (two owners' keys stolen, scheduling an
operator or an admin hand-over) must reach staff while it can still be stopped: until it is due, after which anyone
may run it. So each pending operation raises one alert (a warning; occurrences counted while it stays pending) that
says what the call does, when it is due and how to cancel it. Users see the same list in the dApp
(`GET /v1/scheduled-changes`). A Custody that cannot be read raises nothing and is reported as a failure.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity
from backend.chain.treasury import PendingOperation
from backend.monitoring.report import PassReport
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.review import format_utc

# The Custody's pending operations (`CustodyNode.pending_operations`); raises TreasuryError when the node fails.
PendingReader = Callable[[], list[PendingOperation]]


def check_custody(
    session: Session, custody: str, chain_id: int, read: PendingReader, abis: KnownAbis, now_ms: int, report: PassReport
) -> None:
    """One alert per scheduled operation that may still run (not executed, cancelled nor expired)."""
    try:
        pending = read()
    except TreasuryError as exc:
        report.failed("custody", str(exc))
        return
    for op in pending:
        if op.expired:
            continue
        operation = f"0x{op.operation_id.hex()}"
        call = abis.describe(op.call.data)
        report.alert(
            session,
            AlertKind.CUSTODY_CALL_SCHEDULED,
            Severity.WARNING,
            f"scheduled through the Custody timelock: {call} on {op.call.target}, due at {format_utc(op.ready_at)}; "
            f"if nobody expected it, the owners can cancel it until then (Custody.cancel({operation}))",
            subject=f"custody:{custody}",
            dedup_key=f"{AlertKind.CUSTODY_CALL_SCHEDULED.value}:{chain_id}:{operation}",
            details={
                "operation": operation, "target": op.call.target, "value": str(op.call.value), "call": call,
                "readyAt": op.ready_at * 1000, "expiresAt": op.expires_at * 1000,
            },
            now_ms=now_ms,
        )  # fmt: skip
