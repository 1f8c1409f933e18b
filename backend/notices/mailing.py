"""The account-mail loop: `collect` then `send_due`, one pass per tick while holding the `account-mail` lease, in a
thread of `hdex up` (embedded shape) or as a Celery beat task of `hdex worker` (production shape)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from backend.bootstrap import Container
from backend.db.leased_loop import LeasedLoop
from backend.mail import Mailer, mailer_for
from backend.notices.outbox import SendPass, collect, send_due

LEASE = "account-mail"


@dataclass(frozen=True, slots=True)
class MailPass:
    """What one pass did: mails owed anew, and what sending did."""

    collected: int
    sending: SendPass


class AccountMailing:
    """One pass per `tick` while holding the lease (one pass at a time across processes)."""

    def __init__(self, container: Container, mailer: Mailer | None = None) -> None:
        settings = container.settings
        self._container = container
        self._mailer = mailer or mailer_for(settings)
        interval = settings.account_mail_interval_s
        self.leased = LeasedLoop(
            "account mail",
            LEASE,
            container.session_factory,
            self.pass_once,
            # a pass may wait on a slow SMTP server; a lease that lapses mid-pass only risks a repeated mail
            ttl_s=max(60.0, interval * 4),
            interval_s=interval,
            retry_on=(DBAPIError,),
            data_dir=settings.data_dir,
        )

    def pass_once(self) -> MailPass:
        """One pass now, whoever holds the lease (the loop calls it only while holding it)."""
        now_ms = time.time_ns() // 1_000_000
        with self._container.uow() as uow:
            collected = collect(uow.session, now_ms)
            self.leased.fence(uow.session)  # a pass past its lease writes nothing: the holder collects the same
            uow.commit()
        with self._container.uow() as uow:
            retry_max_s = self._container.settings.alert_retry_max_s
            sending = send_due(uow.session, self._mailer, now_ms, retry_max_s=retry_max_s, keep=self.leased.keep)
        return MailPass(collected, sending)

    def tick(self) -> MailPass | None:
        """One pass if this process holds (or takes) the lease; None when another process mails."""
        return self.leased.tick()

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        """Passes every HDEX_ACCOUNT_MAIL_INTERVAL_S on a daemon thread until `stop` is set."""
        return self.leased.start_thread(stop)
