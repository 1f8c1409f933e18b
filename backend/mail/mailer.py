"""Sending a plain-text e-mail through SMTP, or writing it to a file in development."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from backend.settings import Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 15


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text: nothing in a mail is rendered as HTML


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver `mail` (or raise OSError / smtplib.SMTPException)."""

    def batch(self) -> AbstractContextManager[None]:
        """The mails sent within go together where they can (over one SMTP connection)."""


class SmtpMailer:
    """Delivery to an SMTP server, with STARTTLS, implicit TLS or none, and optional login. Alone, each mail has a
    connection of its own; in a `batch`, the mails share one: a pass of the account-mail outbox pays the TCP, TLS
    and login round trips once, not per mail, and a provider counting connections sees one. A batch holds the
    mailer's connection: only a mailer of one thread's own (the outbox pass's) is batched."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self._settings = settings
        self._host = settings.smtp_host
        self._batching = False
        self._open: smtplib.SMTP | None = None  # the batch's connection, once its first mail opened it

    @contextmanager
    def batch(self) -> Iterator[None]:
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            self._close()

    def send(self, mail: Mail) -> None:
        message = _message(self._settings.smtp_from, mail)
        reused, smtp = self._open is not None, self._open or self._connect()
        self._open = None
        try:
            try:
                smtp.send_message(message)
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as exc:
                if not reused or not _ended_by_server(exc):
                    raise
                # the server ended the batch's connection since the last mail (an idle or per-connection limit):
                # it took nothing of this mail, which goes once more, over a connection of its own
                _quit(smtp)
                smtp = self._connect()
                smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            # One mailbox or this mail refused, not the server: unless it is closing (421), the connection serves
            # the next mail once the transaction is reset (smtplib resets it after a refused content, not after a
            # refused DATA command, and the next MAIL would meet "503 nested MAIL command").
            if _ended_by_server(exc) or not _reset(smtp):
                _quit(smtp)
            else:
                self._keep_or_close(smtp)
            raise
        except BaseException:
            _quit(smtp)
            raise
        self._keep_or_close(smtp)
        log.info("mail sent", extra={"to_domain": domain_of(mail.to), "subject": mail.subject})

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(self._host, s.smtp_port, timeout=SMTP_TIMEOUT_S, context=context)
            if s.smtp_tls == "tls"
            else smtplib.SMTP(self._host, s.smtp_port, timeout=SMTP_TIMEOUT_S)
        )
        try:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
            if s.smtp_user is not None:
                password = "" if s.smtp_password is None else s.smtp_password.get_secret_value()
                smtp.login(s.smtp_user, password)
        except BaseException:
            _quit(smtp)
            raise
        return smtp

    def _keep_or_close(self, smtp: smtplib.SMTP) -> None:
        if self._batching:
            self._open = smtp
        else:
            _quit(smtp)

    def _close(self) -> None:
        if self._open is not None:
            _quit(self._open)
            self._open = None


def _ended_by_server(exc: Exception) -> bool:
    """The server hung up, or answered 421: closing the connection, the mail not taken (RFC 5321 4.2.2)."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or (
        isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421
    )


def _reset(smtp: smtplib.SMTP) -> bool:
    """RSET: whether the server took it, so the connection can carry another mail."""
    try:
        return smtp.rset()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye if the server still listens; close the socket either way."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class FileMailer:
    """Development: each mail becomes an .eml file under `folder`, and a log line says where."""

    def __init__(self, folder: Path, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    def batch(self) -> AbstractContextManager[None]:
        return nullcontext()

    def send(self, mail: Mail) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{time.time_ns()}.eml"
        path.write_bytes(bytes(_message(self._sender, mail)))
        log.info(
            "mail written (no HDEX_SMTP_HOST)",
            extra={"to_domain": domain_of(mail.to), "subject": mail.subject, "path": str(path)},
        )


def mailer_for(settings: Settings) -> Mailer:
    """SMTP if HDEX_SMTP_HOST is set, else files under <data_dir>/mail/."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailer(settings.data_dir / "mail", settings.smtp_from)


_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` fit for a header (a subject): line breaks and other control characters become one space."""
    return _NOT_ONE_LINE.sub(" ", text).strip()


def domain_of(address: str) -> str:
    """What a log line says of a recipient: its domain (which provider refused or was slow). Never the address: logs
    outlive a wallet user's deletion request, which erases it everywhere else."""
    return address.rpartition("@")[2] or "?"


def failure_text(exc: BaseException) -> str:
    """An SMTP failure for a log line, without the addresses `SMTPRecipientsRefused` names: only the server's codes."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(sorted({str(code) for code, _ in exc.recipients.values()}))
        return f"recipient refused (SMTP {codes})"
    return str(exc) or type(exc).__name__


def _message(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    # RFC 5322 requires Date, and spam filters score a mail without Message-ID; relays add neither to a client's mail
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain_of(parseaddr(sender)[1]))
    message.set_content(mail.body)
    return message
