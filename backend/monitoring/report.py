"""What a monitoring pass saw and raised: readings for the gauges, alerts for people, failures for the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from backend.alerts import AlertKind, PendingAlert, Severity, raise_alert
from backend.metrics import MONITOR_CHECK_FAILURES


@dataclass(frozen=True, slots=True)
class Raised:
    """One alert a check raised; `new` is False when it counted another occurrence of one still open."""

    kind: AlertKind
    severity: Severity
    subject: str
    message: str
    new: bool

    def line(self) -> str:
        return f"{self.severity.value:<8} {self.kind.value:<30} {self.subject:<32} {self.message}" + (
            "" if self.new else "  (already open: one more occurrence)"
        )


@dataclass
class PassReport:
    """Everything one pass raised, and the checks that could not read their source (they raise nothing)."""

    raised: list[Raised] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # check -> why it could not run
    halted: list[str] = field(default_factory=list)  # markets a feed deviation halted

    def alert(
        self,
        session: Session,
        kind: AlertKind,
        severity: Severity,
        message: str,
        *,
        subject: str,
        dedup_key: str,
        details: dict[str, Any],
        now_ms: int,
    ) -> None:
        """Raise (or count again) an alert in the caller's unit of work and remember it."""
        row = raise_alert(
            session, kind, severity, message, subject=subject, details=details, dedup_key=dedup_key, now_ms=now_ms
        )
        self.raised.append(Raised(kind, severity, subject, message, row is not None))

    def raised_elsewhere(self, alert: PendingAlert) -> None:
        """Remember an alert another unit of work stored (the engine host's, with the halt it says why)."""
        self.raised.append(Raised(alert.kind, alert.severity, alert.subject, alert.message, True))

    def failed(self, check: str, why: str) -> None:
        """A check could not read its source: counted (`hdex_monitor_check_failures_total`), never raised."""
        self.failures[check] = why
        MONITOR_CHECK_FAILURES.labels(check=check).inc()

    def merge(self, other: PassReport) -> PassReport:
        self.raised.extend(other.raised)
        self.failures.update(other.failures)
        self.halted.extend(other.halted)
        return self
