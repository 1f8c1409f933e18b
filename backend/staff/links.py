"""Password links by e-mail: a reset link, or a new member's set-your-password invitation."""

from __future__ import annotations

import logging

from backend.mail import Mail, Mailer

log = logging.getLogger(__name__)
# The web app's page. The token travels in the fragment: browsers never send it to a server or in a Referer.
PASSWORD_PAGE = "/staff/reset-password"


def send_password_link(mailer: Mailer, email: str, subject: str, text: str, link_base: str, token: str) -> bool:
    """Mail `text` and the link; whether it went. A mail that cannot be sent is logged; the caller decides who may
    be told (a reset's asker may not: it would tell which addresses are staff)."""
    link = f"{link_base.rstrip('/')}{PASSWORD_PAGE}#token={token}"
    try:
        mailer.send(Mail(email, subject, f"{text}\n\n{link}\n"))
    except OSError as exc:  # smtplib's errors are OSErrors
        log.error("staff mail not sent", extra={"to": email, "error": str(exc)})
        return False
    return True
