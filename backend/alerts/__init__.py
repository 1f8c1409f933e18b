"""The one alert store: every monitor (market risk, operator risk, AML, screening) raises alerts here with
`raise_alert`, inside the unit of work that saw the cause; delivery (log, e-mail, signed webhook, the back
office) reads the store afterwards, so an alert is never lost with a failed channel.

Modules: `store` (raising, the wire shape), `queries` (reading), `delivery` and `channels` (the outbox and
where alerts go), `signing` (the webhook's HMAC), `cases` (staff work alerts in cases), `report` and
`report_html` (a case's report for the regulator).
"""

from backend.alerts.store import (
    AlertKind,
    AlertView,
    PendingAlert,
    Severity,
    alert_json,
    alert_view,
    raise_alert,
)

__all__ = ["AlertKind", "AlertView", "PendingAlert", "Severity", "alert_json", "alert_view", "raise_alert"]
