"""The pure parts of alert delivery: the retry backoff, the e-mail severity floor, what a mail and the
settings say."""

from __future__ import annotations

import pytest

from backend.alerts.channels import EmailChannel, LogChannel, alert_mail_body, alert_subject_line, channels_for
from backend.alerts.delivery import retry_delay_ms
from backend.alerts.store import AlertView, at_least
from backend.mail import Mail
from backend.settings import SettingsError, load_settings


def alert(severity: str = "critical", message: str = "WETH-USDC halted\nsecond line") -> AlertView:
    return AlertView(
        7, "market.circuit_breaker", severity, "market:WETH-USDC", message, {"moveBps": 1200}, "open", None, 1,
        1_800_000_000_000, 1_800_000_000_000,
    )  # fmt: skip


class NoMail:
    def send(self, mail: Mail) -> None:
        raise AssertionError("not sent in these tests")


def test_a_failed_channel_waits_ten_seconds_then_twice_as_long_each_time_up_to_the_cap() -> None:
    assert [retry_delay_ms(n, 900) for n in (1, 2, 3, 4, 7, 8, 60)] == [
        10_000, 20_000, 40_000, 80_000, 640_000, 900_000, 900_000,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("severity", "minimum", "mailed"),
    [
        ("info", "warning", False),
        ("warning", "warning", True),
        ("critical", "warning", True),
        ("warning", "critical", False),
        ("info", "info", True),
        ("something new", "critical", True),  # an unknown severity is shown rather than hidden
    ],
)
def test_mail_goes_only_to_alerts_at_or_above_the_minimum_severity(severity: str, minimum: str, mailed: bool) -> None:
    assert at_least(severity, minimum) is mailed
    assert EmailChannel(NoMail(), "ops@hdex.example", minimum).wants(alert(severity)) is mailed


def test_the_mail_names_the_alert_and_carries_its_details_and_the_back_office_link() -> None:
    view = alert()
    assert alert_subject_line(view) == "[HDEX critical] market.circuit_breaker: WETH-USDC halted"
    body = alert_mail_body(view, "https://hdex.example")
    assert "#7" in body and "market:WETH-USDC" in body and '"moveBps": 1200' in body
    assert "https://hdex.example/backoffice/alerts" in body


def test_the_configured_channels_are_the_log_one_mail_per_recipient_and_the_webhook() -> None:
    settings = load_settings(
        _env_file=None, alert_email_to="a@hdex.example, b@hdex.example", alert_webhook_url="https://hooks.example/x",
        alert_webhook_secret="k",
    )  # fmt: skip
    names = [channel.name for channel in channels_for(settings, NoMail(), lambda: 0)]
    assert names == ["log", "email:a@hdex.example", "email:b@hdex.example", "webhook"]
    assert [c.name for c in channels_for(load_settings(_env_file=None), NoMail(), lambda: 0)] == [LogChannel.name]


def test_a_webhook_without_a_secret_or_a_bad_recipient_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="HDEX_ALERT_WEBHOOK_SECRET"):
        load_settings(_env_file=None, alert_webhook_url="https://hooks.example/x")
    with pytest.raises(SettingsError, match="HDEX_ALERT_EMAIL_TO"):
        load_settings(_env_file=None, alert_email_to="ops@hdex.example,not-an-address")
    with pytest.raises(SettingsError, match="HDEX_ALERT_WEBHOOK_URL"):
        load_settings(_env_file=None, alert_webhook_url="ftp://hooks.example/x", alert_webhook_secret="k")
