"""Alert delivery over real channels: mail through a real SMTP server, a signed POST to a real HTTP receiver,
the log; each alert once per channel, and a failing channel retried later without losing the alert or
holding up the others."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from backend.alerts import AlertKind, Severity, raise_alert
from backend.alerts.channels import Channel, channels_for
from backend.alerts.delivery import AlertDelivery, DeliveryPass, deliver_pending
from backend.alerts.signing import verify_alert_webhook
from backend.bootstrap import Container
from backend.db.models import Alert
from backend.mail import mailer_for

from ..staff.conftest import Inbox
from .conftest import WEBHOOK_SECRET, WebhookReceiver

NOW_S = 1_800_000_000
NOW_MS = NOW_S * 1000


def raise_one(container: Container, severity: Severity = Severity.CRITICAL, subject: str = "market:WETH-USDC") -> int:
    with container.uow() as uow:
        row = raise_alert(
            uow.session, AlertKind.CIRCUIT_BREAKER, severity, "WETH-USDC halted: 12% in 5 minutes", subject=subject,
            details={"moveBps": 1200, "reference": "3000000000"}, now_ms=NOW_MS - 1000,
        )  # fmt: skip
        assert row is not None
        uow.commit()
        return row.id


def channels(container: Container) -> list[Channel]:
    return channels_for(container.settings, mailer_for(container.settings), lambda: NOW_S)


def deliver(container: Container, now_ms: int = NOW_MS) -> DeliveryPass:
    with container.uow() as uow:
        return deliver_pending(uow.session, channels(container), now_ms, retry_max_s=900)


def stored(container: Container, alert_id: int) -> Alert:
    with container.uow() as uow:
        row = uow.session.get(Alert, alert_id)
        assert row is not None
        return row


def test_an_alert_is_logged_mailed_to_each_recipient_and_posted_signed_then_marked_delivered(
    container: Container, inbox: tuple[Inbox, int], webhook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    alert_id = raise_one(container)
    with caplog.at_level(logging.INFO, logger="hdex.alerts"):
        assert deliver(container) == DeliveryPass(delivered=1, retrying=0)

    [line] = [r for r in caplog.records if r.getMessage() == "alert"]
    assert (line.levelno, line.__dict__["alert_id"], line.__dict__["kind"]) == (logging.ERROR, alert_id,
                                                                                "market.circuit_breaker")  # fmt: skip
    mails = inbox[0].mails
    assert sorted(m["To"] for m in mails) == ["mlro@hdex.example", "ops@hdex.example"]
    assert (
        " ".join(mails[0]["Subject"].split())
        == "[HDEX critical] market.circuit_breaker: WETH-USDC halted: 12% in 5 minutes"
    )
    assert '"moveBps": 1200' in mails[0].get_payload()

    [(headers, body)] = webhook.calls
    assert verify_alert_webhook(WEBHOOK_SECRET, headers["X-HDEX-Timestamp"], headers["X-HDEX-Signature"], body, NOW_S)
    assert not verify_alert_webhook("not the secret", headers["X-HDEX-Timestamp"], headers["X-HDEX-Signature"],
                                    body, NOW_S)  # fmt: skip
    assert headers["X-HDEX-Event-Id"] == f"alert-{alert_id}" and headers["Content-Type"] == "application/json"
    sent = json.loads(body)
    assert sent["event"] == "alert"
    assert {k: sent["alert"][k] for k in ("id", "kind", "severity", "subject", "details", "status")} == {
        "id": alert_id, "kind": "market.circuit_breaker", "severity": "critical", "subject": "market:WETH-USDC",
        "details": {"moveBps": 1200, "reference": "3000000000"}, "status": "open",
    }  # fmt: skip

    row = stored(container, alert_id)
    assert row.delivered_at_ms == NOW_MS and row.delivery_error is None
    assert set(row.deliveries or {}) == {"log", "email:ops@hdex.example", "email:mlro@hdex.example", "webhook"}
    assert deliver(container, NOW_MS + 60_000) == DeliveryPass(0, 0)  # delivered once, never again
    assert len(inbox[0].mails) == 2 and len(webhook.calls) == 1


def test_an_info_alert_is_posted_and_logged_but_not_mailed(
    container: Container, inbox: tuple[Inbox, int], webhook: WebhookReceiver
) -> None:
    alert_id = raise_one(container, Severity.INFO)
    assert deliver(container) == DeliveryPass(1, 0)
    assert inbox[0].mails == [] and len(webhook.calls) == 1
    assert set(stored(container, alert_id).deliveries or {}) == {"log", "webhook"}


def test_a_failing_webhook_is_retried_after_a_backoff_without_mailing_twice_or_losing_the_alert(
    container: Container, inbox: tuple[Inbox, int], webhook: WebhookReceiver
) -> None:
    webhook.status = 500
    alert_id = raise_one(container)
    assert deliver(container) == DeliveryPass(delivered=0, retrying=1)
    assert len(inbox[0].mails) == 2  # the mail went out although the webhook failed
    row = stored(container, alert_id)
    assert row.delivered_at_ms is None and row.delivery_attempts == 1
    assert row.next_delivery_at_ms == NOW_MS + 10_000 and row.delivery_error == "webhook: webhook answered 500"

    assert deliver(container, NOW_MS + 9_999) == DeliveryPass(0, 0)  # not due yet
    assert deliver(container, NOW_MS + 10_000) == DeliveryPass(0, 1)  # due, fails again: waits twice as long
    assert stored(container, alert_id).next_delivery_at_ms == NOW_MS + 10_000 + 20_000
    assert len(webhook.calls) == 2

    webhook.status = 204
    assert deliver(container, NOW_MS + 30_000) == DeliveryPass(delivered=1, retrying=0)
    assert len(inbox[0].mails) == 2 and len(webhook.calls) == 3  # the mail was not sent again
    row = stored(container, alert_id)
    assert row.delivered_at_ms == NOW_MS + 30_000 and row.next_delivery_at_ms is None and row.delivery_error is None


def test_an_unreachable_smtp_server_fails_only_the_mail_channels(
    container: Container, inbox: tuple[Inbox, int], webhook: WebhookReceiver
) -> None:
    alert_id = raise_one(container)
    with container.uow() as uow:  # the same alert store, mailed through a port nobody listens on
        broken = container.settings.model_copy(update={"smtp_port": 9})
        passed = deliver_pending(uow.session, channels_for(broken, mailer_for(broken), lambda: NOW_S), NOW_MS)
    assert passed == DeliveryPass(0, 1) and len(webhook.calls) == 1
    row = stored(container, alert_id)
    assert set(row.deliveries or {}) == {"log", "webhook"}
    assert (row.delivery_error or "").startswith("email:ops@hdex.example: mail to ops@hdex.example")
    assert deliver(container, NOW_MS + 10_000) == DeliveryPass(1, 0)  # the server is back: only the mail goes
    assert len(inbox[0].mails) == 2 and len(webhook.calls) == 1


def test_an_alert_a_channel_always_refuses_holds_up_no_alert_after_it(
    container: Container, webhook: WebhookReceiver
) -> None:
    """An alert skipped because the channel failed on an earlier one in the pass was not tried: it stays due, not
    backed off in step with the refused one, behind which it would be skipped on every pass for good."""
    webhook.too_large = b"market:WBTC-USDC"
    refused, after = raise_one(container, subject="market:WBTC-USDC"), raise_one(container)
    assert deliver(container) == DeliveryPass(delivered=0, retrying=2)
    skipped = stored(container, after)
    assert (skipped.delivery_attempts, skipped.next_delivery_at_ms) == (0, None)
    assert (skipped.delivery_error or "").startswith("webhook: not tried (webhook answered 413")

    assert deliver(container, NOW_MS + 1_000) == DeliveryPass(delivered=1, retrying=0)  # the refused one waits
    assert stored(container, after).delivered_at_ms == NOW_MS + 1_000
    assert stored(container, refused).delivery_attempts == 1


def test_one_process_at_a_time_delivers_under_the_lease(container: Container, webhook: WebhookReceiver) -> None:
    raise_one(container)
    first, second = AlertDelivery(container, channels(container)), AlertDelivery(container, channels(container))
    assert first.tick() == DeliveryPass(1, 0)
    assert second.tick() is None  # the first holds the lease
    first.leased.release()
    assert second.tick() == DeliveryPass(0, 0)
    with container.uow() as uow:
        assert None not in uow.session.scalars(select(Alert.delivered_at_ms)).all()


def test_a_channel_that_failed_is_not_tried_again_in_the_same_pass(
    container: Container, inbox: tuple[Inbox, int], webhook: WebhookReceiver
) -> None:
    webhook.status = 503
    first, second = raise_one(container), raise_one(container, subject="market:WBTC-USDC")
    assert deliver(container) == DeliveryPass(delivered=0, retrying=2)
    assert len(webhook.calls) == 1 and len(inbox[0].mails) == 4  # the mail still went out for both
    assert (stored(container, second).delivery_error or "").startswith("webhook: not tried (webhook answered 503")
    webhook.status = 200
    assert deliver(container, NOW_MS + 10_000) == DeliveryPass(delivered=2, retrying=0)
    assert [json.loads(body)["alert"]["id"] for _, body in webhook.calls[1:]] == [first, second]
