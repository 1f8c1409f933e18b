"""Delivering alerts: an outbox over the one alert store.

An alert is stored with `delivered_at_ms` NULL (`raise_alert`). Each pass of `deliver_pending` sends every such
alert to each configured channel that has not delivered it yet, and records per channel when it did
(`Alert.deliveries`). Once every channel that wants the alert has delivered it, `delivered_at_ms` is set and
the alert leaves the outbox. A channel that fails leaves its mark unset: the other channels' marks are kept
(nobody is sent the alert twice for another channel's fault), and the alert is tried again after a backoff
that doubles per failed pass (`RETRY_BASE_S`, 2x, ..., up to HDEX_ALERT_RETRY_MAX_S), for as long as it takes:
an alert is never dropped.

One pass runs at a time across processes: the loop takes the `alerts-delivery` lease (`LeasedLoop`), in a
thread of `hdex up` (embedded shape) or as a Celery beat task of `hdex worker` (production shape). Delivery
is at least once: a pass that dies between a send and its commit sends that alert again (the webhook carries
an event id for receivers to drop repeats).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.alerts.channels import Channel, channels_for
from backend.alerts.store import alert_view
from backend.bootstrap import Container
from backend.db.leased_loop import LeasedLoop
from backend.db.models import Alert
from backend.mail import mailer_for

log = logging.getLogger("hdex.alerts")

LEASE = "alerts-delivery"
RETRY_BASE_S = 10
BATCH = 100  # alerts per pass: a backlog drains over several passes, each committing as it goes
MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class DeliveryPass:
    """What one pass did: alerts now delivered on every channel, and alerts left for a retry."""

    delivered: int
    retrying: int


def retry_delay_ms(failed_passes: int, max_s: int) -> int:
    """The wait before the next try after `failed_passes` failed passes (1, 2, ...): 10 s doubling, capped."""
    doubled: int = RETRY_BASE_S << min(max(failed_passes - 1, 0), 30)
    return min(max_s, doubled) * 1000


def deliver_pending(
    session: Session, channels: Sequence[Channel], now_ms: int, *, retry_max_s: int = 900, limit: int = BATCH
) -> DeliveryPass:
    """Send the undelivered alerts that are due (oldest first, at most `limit`) to each channel that has not
    delivered them yet; record each channel's success, and the alert's delivery once all are done.

    Commits after each alert, unlike a use case: a sent alert cannot be unsent, so its mark must not wait
    for (or roll back with) the rest of the batch.
    """
    due = session.scalars(
        select(Alert)
        .where(
            Alert.delivered_at_ms.is_(None),
            or_(Alert.next_delivery_at_ms.is_(None), Alert.next_delivery_at_ms <= now_ms),
        )
        .order_by(Alert.id)
        .limit(limit)
    ).all()
    delivered = retrying = 0
    # A channel that failed is not tried again in the same pass: a dead SMTP server would otherwise cost its
    # timeout once per alert, and a long pass could outlive the lease.
    failed: dict[str, str] = {}
    for row in due:
        view = alert_view(row)
        marks = dict(row.deliveries or {})
        errors: list[str] = []
        tried = False  # whether a channel failed on this alert itself, not only skipped it
        for channel in channels:
            if channel.name in marks or not channel.wants(view):
                continue
            if channel.name in failed:
                errors.append(f"{channel.name}: not tried ({failed[channel.name]} earlier in this pass)")
                continue
            try:
                channel.send(view)
            except Exception as exc:  # any failure, even a channel's bug, must not hold up the other channels
                failed[channel.name], tried = str(exc), True
                errors.append(f"{channel.name}: {exc}")
                log.warning(
                    "alert delivery failed; retrying later",
                    extra={"alert_id": row.id, "channel": channel.name, "error": str(exc)},
                )
            else:
                marks[channel.name] = now_ms
        row.deliveries = marks
        if errors:
            # Only a try backs the alert off. One skipped after another alert's failure stays due: backed off in
            # step with that alert, it would be skipped behind it on every pass, and one alert a channel always
            # refuses (a payload it will not take) would hold up every alert raised beside it, for good.
            if tried:
                row.delivery_attempts += 1
                row.next_delivery_at_ms = now_ms + retry_delay_ms(row.delivery_attempts, retry_max_s)
            row.delivery_error = "; ".join(errors)[:MAX_ERROR_CHARS]
            retrying += 1
        else:
            row.delivered_at_ms = now_ms
            row.next_delivery_at_ms = None
            row.delivery_error = None
            delivered += 1
        session.commit()
    return DeliveryPass(delivered, retrying)


class AlertDelivery:
    """`deliver_pending` over a container's channels, one pass per `tick` while holding the delivery lease."""

    def __init__(self, container: Container, channels: Sequence[Channel] | None = None) -> None:
        settings = container.settings
        self._container = container
        self._channels = list(
            channels if channels is not None else channels_for(settings, mailer_for(settings), lambda: int(time.time()))
        )
        interval = settings.alert_delivery_interval_s
        self.leased = LeasedLoop(
            "alert delivery",
            LEASE,
            container.session_factory,
            self.deliver_once,
            # a pass may wait on slow SMTP servers; a lease that lapses mid-pass only risks a repeat, never a loss
            ttl_s=max(60.0, interval * 4),
            interval_s=interval,
            retry_on=(DBAPIError,),
            data_dir=container.settings.data_dir,
        )

    def deliver_once(self) -> DeliveryPass:
        """One pass now, whoever holds the lease (the loop calls it only while holding it)."""
        with self._container.uow() as uow:
            return deliver_pending(
                uow.session,
                self._channels,
                time.time_ns() // 1_000_000,
                retry_max_s=self._container.settings.alert_retry_max_s,
            )

    def tick(self) -> DeliveryPass | None:
        """One pass if this process holds (or takes) the lease; None when another process delivers."""
        return self.leased.tick()

    def start_thread(self, stop: threading.Event) -> threading.Thread:
        """Passes every HDEX_ALERT_DELIVERY_INTERVAL_S on a daemon thread until `stop` is set."""
        return self.leased.start_thread(stop)
