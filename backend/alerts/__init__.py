"""The one alert store: every monitor (market risk, operator risk, AML, screening) raises alerts here with
`raise_alert`, inside the unit of work that saw the cause; delivery (log, e-mail, signed webhook, the back
office) reads the store afterwards, so an alert is never lost with a failed channel."""

from backend.alerts.store import AlertKind, AlertView, Severity, alert_view, raise_alert

__all__ = ["AlertKind", "AlertView", "Severity", "alert_view", "raise_alert"]
