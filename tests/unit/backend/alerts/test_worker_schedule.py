"""`hdex worker` delivers alerts every HDEX_ALERT_DELIVERY_INTERVAL_S on a queue it consumes."""

from __future__ import annotations

from pathlib import Path

from backend.entrypoints.worker import INDEXER_QUEUE, JOBS_QUEUE, RELAYER_QUEUE, make_celery


def test_the_worker_schedules_alert_delivery_at_its_interval_on_a_consumed_queue(tmp_path: Path) -> None:
    app = make_celery("memory://", tmp_path, alert_interval_s=7.0)
    assert app.conf.beat_schedule["alerts-deliver"] == {"task": "hdex.alerts.deliver", "schedule": 7.0}
    assert "hdex.alerts.deliver" in app.tasks
    assert app.amqp.router.route({}, "hdex.alerts.deliver")["queue"].name in (INDEXER_QUEUE, RELAYER_QUEUE, JOBS_QUEUE)
