"""CUSTODY_CALL_SCHEDULED: a call scheduled through the Custody timelock that may still run; ADMIN_NOT_CUSTODY:
the Exchange's admin is not a Custody at all.

Owners schedule changes routinely, but one nobody at the exchange expected (two owners' keys stolen, scheduling an
operator or an admin hand-over) must reach staff while it can still be stopped: until it is due, after which anyone
may run it. So each pending operation raises one alert (a warning; occurrences counted while it stays pending) that
says what the call does, when it is due and how to cancel it. Users see the same list in the dApp
(`GET /v1/scheduled-changes`). A Custody that cannot be read raises nothing and is reported as a failure.

The Custody read is the one the Exchange names as its admin (the owners may hand the admin to a new Custody). An
admin whose code is not our Custody's (stolen keys handing it to a contract of their own, which may affirm that
any call is a scheduled one) raises a critical alert: its changes need not wait, and nothing can be cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.alerts import AlertKind, Severity
from backend.chain.treasury import Governance
from backend.monitoring.report import PassReport
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.review import format_utc

# The Exchange's admin and the operations it scheduled (`GovernanceWatch.read`); TreasuryError when the node fails.
GovernanceReader = Callable[[], Governance]


def check_custody(
    session: Session, chain_id: int, read: GovernanceReader, abis: KnownAbis, now_ms: int, report: PassReport
) -> None:
    """One alert per operation the admin Custody scheduled that may still run (not executed, cancelled nor
    expired); a critical one, for an admin that is not a Custody; a failure, when the node cannot be read."""
    try:
        governance = read()
    except TreasuryError as exc:
        report.failed("custody", str(exc))
        return
    if not governance.timelocked:
        _alert_admin_not_custody(session, governance.admin, chain_id, now_ms, report)
        return
    custody = governance.admin
    for op in governance.operations:
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


def _alert_admin_not_custody(session: Session, admin: str, chain_id: int, now_ms: int, report: PassReport) -> None:
    report.alert(
        session,
        AlertKind.ADMIN_NOT_CUSTODY,
        Severity.CRITICAL,
        f"the Exchange's admin is {admin}, whose code is not HDEX's Custody: its admin changes need not wait out a "
        "timelock, and none can be cancelled; if the owners did not hand it over, their keys are stolen and users "
        "must be told to leave through the escape hatch",
        subject=f"admin:{admin}",
        dedup_key=f"{AlertKind.ADMIN_NOT_CUSTODY.value}:{chain_id}:{admin}",
        details={"admin": admin},
        now_ms=now_ms,
    )
