"""`hdex worker` runs the operator checks every monitoring interval and reconciliation at its own, on a queue
it consumes, and serves the gauges they set."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from backend.entrypoints.worker import INDEXER_QUEUE, JOBS_QUEUE, RELAYER_QUEUE, make_celery, serve_metrics
from backend.settings import get_settings


def test_the_worker_schedules_the_operator_pass_and_reconciliation_at_their_intervals(tmp_path: Path) -> None:
    app = make_celery("memory://", tmp_path, monitor_interval_s=45.0, reconcile_interval_s=600.0)
    schedule = app.conf.beat_schedule
    assert schedule["monitor-operator"] == {"task": "hdex.monitor.operator", "schedule": 45.0}
    assert schedule["monitor-reconcile"] == {"task": "hdex.monitor.reconcile", "schedule": 600.0}
    assert {"hdex.monitor.operator", "hdex.monitor.reconcile"} <= set(app.tasks)


def test_every_scheduled_task_goes_to_a_queue_hdex_worker_consumes(tmp_path: Path) -> None:
    app = make_celery("memory://", tmp_path)
    consumed = (INDEXER_QUEUE, RELAYER_QUEUE, JOBS_QUEUE)  # `hdex worker --queues ...` (backend/cli/services.py)
    for entry in app.conf.beat_schedule.values():
        assert app.amqp.router.route({}, entry["task"])["queue"].name in consumed, entry["task"]


def test_the_worker_process_serves_its_metrics_when_a_port_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HDEX_MONITOR_METRICS_PORT", str(port))
    monkeypatch.setenv("HDEX_API_HOST", "127.0.0.1")
    get_settings.cache_clear()
    try:
        serve_metrics()
    finally:
        get_settings.cache_clear()
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "hdex_operator_balance_min_wei" in body and "hdex_monitor_last_pass_timestamp_seconds" in body


def test_the_worker_logs_as_every_other_process_and_keeps_httpx_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    # Celery's own logging printed httpx's line per RPC request (with the RPC URL, maybe a provider's key in it)
    import logging

    from celery.signals import setup_logging

    from backend.entrypoints.worker import celery_app
    from backend.log import JsonFormatter

    monkeypatch.setenv("HDEX_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("HDEX_LOG_FORMAT", "json")
    get_settings.cache_clear()
    root = logging.getLogger()
    handlers, level, httpx_level = root.handlers[:], root.level, logging.getLogger("httpx").level
    try:
        celery_app()
        answered = setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
        assert answered, "nobody configures the worker's logging: Celery would, its own way"
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("httpx").setLevel(httpx_level)
        get_settings.cache_clear()
