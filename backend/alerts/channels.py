"""Where alerts go: the log (always), e-mail to each configured recipient at or above a minimum severity, and a
signed webhook. Each channel has a stable `name` (the key of its delivery mark on the alert) and either
returns (delivered) or raises `DeliveryFailed` (retried at a later pass, see `backend.alerts.delivery`).

The back office is the fourth channel but needs no push: it reads the store (`GET /v1/staff/alerts`, and the
event stream `GET /v1/staff/alerts/stream`, which polls it by id).
"""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from backend.alerts.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_alert_webhook
from backend.alerts.store import AlertView, alert_json, at_least
from backend.mail import Mail, Mailer
from backend.settings import Settings

log = logging.getLogger("hdex.alerts")
LOG_LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "critical": logging.ERROR}
USER_AGENT = "HDEX-alerts/1"


class DeliveryFailed(RuntimeError):
    """A channel could not deliver an alert now (server down, refused, timed out); the message says why."""


class Channel(Protocol):
    name: str

    def wants(self, alert: AlertView) -> bool:
        """Whether this channel delivers `alert` at all (e-mail: only from a minimum severity)."""

    def send(self, alert: AlertView) -> None:
        """Deliver `alert`, or raise `DeliveryFailed`."""


class LogChannel:
    """One structured log line per alert, at a level following its severity (critical logs as ERROR)."""

    name = "log"

    def wants(self, alert: AlertView) -> bool:
        return True

    def send(self, alert: AlertView) -> None:
        log.log(
            LOG_LEVELS.get(alert.severity, logging.ERROR),
            "alert",
            extra={
                "alert_id": alert.id,
                "kind": alert.kind,
                "severity": alert.severity,
                "subject": alert.subject,
                "alert_message": alert.message,
                "details": json.dumps(alert.details, sort_keys=True, default=str),
            },
        )


class EmailChannel:
    """A plain-text mail to one recipient (one channel per recipient, so a retry never mails the others twice)."""

    def __init__(self, mailer: Mailer, recipient: str, min_severity: str, link_base: str | None = None) -> None:
        self.name = f"email:{recipient}"
        self._mailer = mailer
        self._recipient = recipient
        self._min_severity = min_severity
        self._link_base = link_base

    def wants(self, alert: AlertView) -> bool:
        return at_least(alert.severity, self._min_severity)

    def send(self, alert: AlertView) -> None:
        try:
            self._mailer.send(Mail(self._recipient, alert_subject_line(alert), alert_mail_body(alert, self._link_base)))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"mail to {self._recipient}: {exc}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would re-send the signed body elsewhere (or drop it as a GET): a 3xx is a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookChannel:
    """POST {"event": "alert", "alert": Alert JSON} to a URL, signed as `backend.alerts.signing` says; any
    2xx answer is a delivery, anything else (3xx, 4xx, 5xx, no answer within the timeout) is a failure."""

    name = "webhook"

    def __init__(self, url: str, secret: str, timeout_s: float, clock_s: Callable[[], int]) -> None:
        self._url = url
        self._secret = secret
        self._timeout_s = timeout_s
        self._clock_s = clock_s
        self._opener = urllib.request.build_opener(_NoRedirect)

    def wants(self, alert: AlertView) -> bool:
        return True

    def send(self, alert: AlertView) -> None:
        body = json.dumps({"event": "alert", "alert": alert_json(alert)}, separators=(",", ":")).encode()
        stamp = str(self._clock_s())
        request = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: sign_alert_webhook(self._secret, stamp, body),
                EVENT_ID_HEADER: f"alert-{alert.id}",
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout_s) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"webhook answered {exc.code}") from None
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError; so are timeouts
            raise DeliveryFailed(f"webhook unreachable: {exc}") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"webhook answered {status}")


def alert_subject_line(alert: AlertView) -> str:
    """The mail subject: severity, kind and the start of the message, on one line."""
    first_line = alert.message.splitlines()[0] if alert.message else ""
    return f"[HDEX {alert.severity}] {alert.kind}: {first_line}"[:200]


def alert_mail_body(alert: AlertView, link_base: str | None) -> str:
    """The mail text: every field of the alert, its details as indented JSON, and where to work it."""
    lines = [
        alert.message,
        "",
        f"alert:      #{alert.id}",
        f"kind:       {alert.kind}",
        f"severity:   {alert.severity}",
        f"subject:    {alert.subject or '-'}",
        f"raised at:  {alert.created_at_ms} (ms since the epoch)",
        "",
        "details:",
        json.dumps(alert.details, indent=2, sort_keys=True, default=str),
    ]
    if link_base:
        lines += ["", f"Work it in the back office: {link_base}/backoffice/alerts"]
    return "\n".join(lines) + "\n"


def channels_for(settings: Settings, mailer: Mailer, clock_s: Callable[[], int]) -> list[Channel]:
    """The configured channels: the log, then one e-mail channel per HDEX_ALERT_EMAIL_TO recipient, then the
    webhook if HDEX_ALERT_WEBHOOK_URL is set."""
    channels: list[Channel] = [LogChannel()]
    channels += [
        EmailChannel(mailer, recipient, settings.alert_email_min_severity, settings.public_url)
        for recipient in settings.alert_email_to
    ]
    if settings.alert_webhook_url is not None and settings.alert_webhook_secret is not None:
        channels.append(
            WebhookChannel(
                settings.alert_webhook_url,
                settings.alert_webhook_secret.get_secret_value(),
                settings.alert_webhook_timeout_s,
                clock_s,
            )
        )
    return channels
